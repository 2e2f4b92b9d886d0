// A conversation core over a fresh test database, a settable clock, and chat users that
// send channel-neutral messages and get the reply data back.
import { databaseConversation } from "../../src/core/conversation/database.ts";
import { specDossier as baseSpecDossier } from "../helpers/app.ts";
import { loadConfig } from "../../src/app/config.ts";
import { createContext, type AppContext } from "../../src/app/context.ts";
import { ConversationService, type ChannelName, type InboundMessage, type Reply } from "../../src/core/conversation/index.ts";
import { dossierInputSchema } from "../../src/core/dossier-schemas.ts";
import { silentLogger } from "../../src/logger.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { assertWellFormed, HOTLINE_FALLBACK, NOW, OTHER_UNIT, UNIT, type ChatUser } from "./chat.ts";

export * from "./chat.ts";

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

