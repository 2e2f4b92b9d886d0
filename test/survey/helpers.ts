// Survey tests without a chat platform: a service context on a fresh database, a settable
// clock, citizens made directly in the database, and a chat user whose button presses and
// texts go straight to the survey interceptor (as the conversation would hand them over).
import { expect } from "vitest";
import { loadConfig } from "../../src/app/config.ts";
import { createContext, type AppContext } from "../../src/app/context.ts";
import type { Reply } from "../../src/core/conversation/types.ts";
import { dossierInputSchema } from "../../src/core/dossier-schemas.ts";
import { surveyInterceptor, surveyStatusListener, runSurveySchedule } from "../../src/core/survey/index.ts";
import { silentLogger } from "../../src/logger.ts";
import { specDossier } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

export interface SurveyHarness {
  ctx: AppContext;
  db: TestDatabase;
  clock: { now: Date };
  /** One round of reminders, expiry and delivery outcomes (the survey job's work). */
  scheduler: { runOnce(): Promise<unknown> };
  /** Advance the clock. */
  later(ms: number): void;
  dossier(code: string, over?: Record<string, unknown>): Promise<{ id: number; code: string }>;
  /** The dossier is returned (status 10) by a status event at the clock's time. */
  returned(code: string): Promise<void>;
  citizen(o?: { channel?: "telegram" | "zalo"; dossierIds?: number[]; language?: "vi" | "en"; lastInboundAt?: Date }): Promise<ChatUser>;
  close(): Promise<void>;
}

export interface ChatUser {
  citizenId: number;
  accountId: number;
  channel: "telegram" | "zalo";
  press(data: string): Promise<Reply[]>;
  text(text: string): Promise<Reply[] | null>;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

let seq = 0;

export async function createSurveyHarness(): Promise<SurveyHarness> {
  const config = loadConfig({ HASH_PEPPER: "test-pepper-0123456789abcdef", LOG_LEVEL: "silent" });
  const db = await createTestDatabase();
  const ctx = await createContext(config, db, silentLogger);
  // Real time, so that status events are newer than the sync that created the dossier.
  const clock = { now: new Date() };
  const deps = { prisma: ctx.prisma, logger: silentLogger, channels: ["telegram", "zalo"] as ("telegram" | "zalo")[], now: () => clock.now };
  ctx.statusEvents.attach([surveyStatusListener(deps)]);
  const h: SurveyHarness = {
    ctx,
    db,
    clock,
    scheduler: { runOnce: () => runSurveySchedule(deps) },
    later(ms) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
    async dossier(code, over = {}) {
      const input = dossierInputSchema.parse(specDossier({ status: 9, receivedAt: "2023-01-12T09:00:00+07:00", ...over }));
      const { dossier } = await ctx.dossiers.upsert(code, input, "test");
      return ctx.prisma.dossier.findUniqueOrThrow({ where: { code: dossier.code }, select: { id: true, code: true } });
    },
    async returned(code) {
      h.later(1000);
      await ctx.dossiers.applyEvent(code, { eventId: `ret-${++seq}`, status: 10, at: clock.now.toISOString() }, "test");
    },
    async citizen(o = {}) {
      const channel = o.channel ?? "telegram";
      const c = await ctx.prisma.citizen.create({ data: { language: o.language ?? "vi" } });
      const a = await ctx.prisma.channelAccount.create({
        data: { channel, platformUserId: String(880_000 + ++seq), citizenId: c.id, consentAt: new Date(), lastInboundAt: o.lastInboundAt ?? new Date() },
      });
      for (const dossierId of o.dossierIds ?? []) await ctx.prisma.dossierLink.create({ data: { citizenId: c.id, dossierId, verifiedBy: "staff", consentAt: new Date() } });
      const send = (input: { kind: "button"; data: string } | { kind: "text"; text: string }) =>
        surveyInterceptor({ prisma: ctx.prisma, channel, accountId: a.id, citizenId: c.id, language: o.language ?? "vi", input, now: clock.now });
      return {
        citizenId: c.id,
        accountId: a.id,
        channel,
        async press(data) {
          const r = await send({ kind: "button", data });
          expect(r, `button ${data} was not handled by the survey`).not.toBeNull();
          wellFormed(r!);
          return r!;
        },
        async text(text) {
          const r = await send({ kind: "text", text });
          if (r) wellFormed(r);
          return r;
        },
      };
    },
    async close() {
      await db.close();
    },
  };
  return h;
}

export function wellFormed(replies: Reply[]): void {
  expect(replies.length).toBeGreaterThan(0);
  for (const r of replies) {
    expect(r.text.trim()).not.toBe("");
    expect(r.text).not.toMatch(/\{\w+\}/); // no unfilled placeholder
    if (r.kind === "text")
      for (const row of r.buttons ?? [])
        for (const b of row) {
          expect(Buffer.byteLength(b.data, "utf8")).toBeLessThanOrEqual(64);
          expect(b.label.trim()).not.toBe("");
        }
  }
}

export function buttons(replies: Reply[]): { label: string; data: string }[] {
  return replies.flatMap((r) => (r.kind === "text" ? (r.buttons ?? []).flat() : []));
}

/** The data of the button whose label (without a ✓ mark) is `label`. */
export function button(replies: Reply[], label: string): string {
  const b = buttons(replies).find((x) => x.label.replace(/^✓ /, "") === label);
  if (!b) throw new Error(`no button "${label}" in: ${buttons(replies).map((x) => x.label).join(" | ")}`);
  return b.data;
}

export function text(replies: Reply[]): string {
  return replies.map((r) => r.text).join("\n---\n");
}

/** Replies of a queued outbound message. */
export function payloadReplies(payload: unknown): Reply[] {
  return (payload as { replies: Reply[] }).replies;
}
