// A conversation core over a fresh test database, a settable clock, and chat users that
// send channel-neutral messages and get the reply data back.
import { databaseConversation } from "../../src/core/conversation/database.ts";
import { specDossier as baseSpecDossier } from "../helpers/app.ts";
import { expect } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createContext, type AppContext } from "../../src/context.ts";
import { ConversationService, type ChannelName, type InboundMessage, type Reply } from "../../src/core/conversation/index.ts";
import { dossierInputSchema } from "../../src/core/dossier-schemas.ts";
import { silentLogger } from "../../src/logger.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

/** Monday 06/02/2023 10:00 in Vietnam: a working morning after Tết 2023. */
export const NOW = new Date("2023-02-06T10:00:00+07:00");
export const HOTLINE_FALLBACK = "1900 1234";

export const UNIT = {
  code: "000.00.15.H32",
  name: "UBND phường Cam Lộc",
  hotline: "0258 3854 123",
  address: "12 Lê Duẩn, phường Cam Lộc, Khánh Hòa",
  openingHours: "Thứ Hai – Thứ Sáu, 07:00–11:30 và 13:30–17:00",
};
export const OTHER_UNIT = { code: "000.00.16.H32", name: "UBND phường Cam Nghĩa", hotline: "0258 3866 456" };

export interface Harness {
  ctx: AppContext;
  db: TestDatabase;
  clock: { now: Date };
  /** A ConversationService as a freshly started process would build it. */
  service(): ConversationService;
  /** The service every `user()` talks to unless one is given. */
  svc: ConversationService;
  user(userId: string, opts?: { channel?: ChannelName; languageHint?: string; svc?: () => ConversationService }): ChatUser;
  /** Creates a dossier through the sync use case (as the provincial software would). */
  dossier(code: string, over?: Record<string, unknown>): Promise<{ id: number; code: string }>;
  close(): Promise<void>;
}

export interface ChatUser {
  userId: string;
  channel: ChannelName;
  send(input: InboundMessage["input"]): Promise<Reply[]>;
  text(text: string): Promise<Reply[]>;
  press(data: string): Promise<Reply[]>;
  contact(phone: string, own?: boolean): Promise<Reply[]>;
  command(command: Extract<InboundMessage["input"], { kind: "command" }>["command"], args?: string): Promise<Reply[]>;
}

export async function createHarness(): Promise<Harness> {
  const config = loadConfig({ HASH_PEPPER: "test-pepper-0123456789abcdef", LOG_LEVEL: "silent" });
  const db = await createTestDatabase();
  const ctx = await createContext(config, db, silentLogger);
  const clock = { now: NOW };
  const service = () =>
    databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher, now: () => clock.now, hotlineFallback: HOTLINE_FALLBACK });
  const h: Harness = {
    ctx,
    db,
    clock,
    service,
    svc: service(),
    user(userId, opts = {}) {
      const channel = opts.channel ?? "telegram";
      const send = async (input: InboundMessage["input"]) => {
        const svc = opts.svc ? opts.svc() : h.svc;
        const replies = await svc.handle({ channel, userId, input, ...(opts.languageHint ? { languageHint: opts.languageHint } : {}) });
        assertWellFormed(replies);
        return replies;
      };
      return {
        userId,
        channel,
        send,
        text: (text) => send({ kind: "text", text }),
        press: (data) => send({ kind: "button", data }),
        contact: (phone, own = true) => send({ kind: "contact", phone, own }),
        command: (command, args = "") => send({ kind: "command", command, args }),
      };
    },
    async dossier(code, over = {}) {
      const input = dossierInputSchema.parse(specDossier(over));
      const { dossier } = await ctx.dossiers.upsert(code, input, "test");
      await ctx.prisma.unit.updateMany({ where: { code: UNIT.code }, data: { hotline: UNIT.hotline, address: UNIT.address, openingHours: UNIT.openingHours } });
      await ctx.prisma.unit.updateMany({ where: { code: OTHER_UNIT.code }, data: { hotline: OTHER_UNIT.hotline } });
      const row = await ctx.prisma.dossier.findUniqueOrThrow({ where: { code: dossier.code }, select: { id: true, code: true } });
      return row;
    },
    close: () => db.close(),
  };
  return h;
}

/** The sync-contract body of ../shared/SPEC.md, on this harness's unit, with overrides. */
export function specDossier(over: Record<string, unknown> = {}): Record<string, unknown> {
  return baseSpecDossier({ unitCode: UNIT.code, unitName: UNIT.name, ...over });
}

/** Every reply has text, no unresolved Fluent placeholder, no bidi isolation mark, short button data. */
export function assertWellFormed(replies: Reply[]): void {
  expect(replies.length).toBeGreaterThan(0);
  for (const r of replies) {
    expect(r.text.trim()).not.toBe("");
    expect(r.text).not.toMatch(/\{\s*\$|[\u2068\u2069]/);
    if (r.kind === "text") {
      for (const row of r.buttons ?? []) {
        for (const b of row) {
          expect(Buffer.byteLength(b.data, "utf8")).toBeLessThanOrEqual(64);
          expect(b.label.trim()).not.toBe("");
        }
      }
    } else {
      expect(r.buttonLabel.trim()).not.toBe("");
    }
  }
}

/** All text of the replies, joined. */
export function allText(replies: Reply[]): string {
  return replies.map((r) => r.text).join("\n---\n");
}

/** All button data of the replies, in order. */
export function buttonData(replies: Reply[]): string[] {
  return replies.flatMap((r) => (r.kind === "text" ? (r.buttons ?? []).flat().map((b) => b.data) : []));
}

export function buttons(replies: Reply[]): { label: string; data: string }[] {
  return replies.flatMap((r) => (r.kind === "text" ? (r.buttons ?? []).flat() : []));
}

/**
 * Links a dossier for a user with the ID-digits proof: code, consent when asked (an account
 * that consented before goes straight to the proof step), then the digits.
 */
export async function linkById(user: ChatUser, code: string, digits = "1234"): Promise<Reply[]> {
  const asked = await user.text(code);
  if (buttonData(asked).includes("c:y")) await user.press("c:y");
  return user.text(digits);
}

/** Same, proving with a shared own phone number. */
export async function linkByPhone(user: ChatUser, code: string, phone: string): Promise<Reply[]> {
  const asked = await user.text(code);
  if (buttonData(asked).includes("c:y")) await user.press("c:y");
  return user.contact(phone, true);
}

/** The n-th reply (fails the test when missing). */
export function nth(replies: Reply[], n: number): Reply {
  const r = replies[n];
  if (!r) throw new Error(`expected at least ${n + 1} replies, got ${replies.length}: ${allText(replies)}`);
  return r;
}
