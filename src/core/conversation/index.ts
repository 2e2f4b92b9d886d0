// The citizen conversation, written once for every channel: an InboundMessage in, Reply
// data out. Adapters (Telegram, Zalo, the browser try page) only translate.
//
// Each message: the account is touched, the input becomes one intent (inputs.ts), the
// language of the answer is settled, then the handlers of pipeline.ts run in order and the
// state they leave is stored.
//
// State machine (per channel account, stored in Conversation.state):
//   idle ──code──▶ await_consent ──Đồng ý──▶ await_proof ──right proof──▶ idle (+ link, card)
//     │  (already consented: straight to await_proof)   │ wrong proof: stay, attempts left
//     │                         └─Không đồng ý─▶ idle    └ limits reached ─▶ idle
//     └──"xóa dữ liệu"──▶ confirm_delete ──yes──▶ (data erased) / no ──▶ idle
// A new command, menu press or clear new request leaves a pending question; a language
// switch keeps it.
import { KeyedLock } from "../keyed-lock.ts";
import { z } from "zod";
import type { WorkingCalendar } from "../calendar.ts";
import { AppError } from "../errors.ts";
import { CHAT_CHANNELS } from "../kernel/channels.ts";
import { DEFAULT_LANGUAGE, isLang, type Lang } from "../kernel/lang.ts";
import { understandInput, type Understander } from "./inputs.ts";
import { conversationPipeline, run, type PipelineOptions } from "./pipeline.ts";
import { parseState } from "./state.ts";
import type { AccountRecord, ConversationStore } from "./store.ts";
import { type Handler, type SlipGateway, type Turn } from "./turn.ts";
import { COMMANDS, type InboundMessage, type Reply } from "./types.ts";
import type { Understanding } from "./understanding/understand.ts";

export type { Button, ChannelName, Command, Inbound, InboundMessage, Reply } from "./types.ts";

export interface ConversationDeps {
  store: ConversationStore;
  understander: Understander;
  calendar: () => Promise<WorkingCalendar>;
  now?: () => Date;
  /** Shown when the citizen's unit has no hotline (or no dossier is linked). */
  hotlineFallback?: string;
  /** The national public service portal (default https://dichvucong.gov.vn). */
  portalUrl?: string;
  pipeline?: PipelineOptions;
  /** Receipt slips: the token of the slip's QR, its short code, a photo of it. */
  slip?: SlipGateway;
  /** Replaces the whole handler list (tests). */
  handlers?: Handler[];
}

// Adapters are ours, but a malformed message must fail loudly rather than half-work.
const inboundMessageSchema = z.object({
  channel: z.enum(CHAT_CHANNELS),
  userId: z.string().trim().min(1).max(128),
  displayName: z.string().max(256).optional(),
  languageHint: z.string().max(35).optional(),
  input: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("text"), text: z.string() }),
    z.object({ kind: z.literal("button"), data: z.string() }),
    z.object({ kind: z.literal("contact"), phone: z.string().max(64), own: z.boolean() }),
    z.object({ kind: z.literal("command"), command: z.enum(COMMANDS), args: z.string() }),
    z.object({ kind: z.literal("photo"), payload: z.string().max(512).nullable() }),
  ]),
  at: z.date().optional(),
});

/**
 * The language of the answer: the citizen's choice if they made one; otherwise the language
 * of this message; otherwise the chat's language so far; otherwise the platform's hint.
 */
export function answerLanguage(account: AccountRecord, understood: Understanding, hint: string | undefined): Lang {
  if (account.languageChosen && account.language) return account.language;
  if (understood.lang) return understood.lang;
  if (account.language) return account.language;
  if (hint?.toLowerCase().startsWith("en")) return "en";
  return DEFAULT_LANGUAGE;
}

export class ConversationService {
  private readonly now: () => Date;
  private readonly handlers: Handler[];
  private readonly turns = new KeyedLock();

  constructor(private readonly deps: ConversationDeps) {
    this.now = deps.now ?? (() => new Date());
    this.handlers = deps.handlers ?? conversationPipeline(deps.pipeline);
  }

  async handle(msg: InboundMessage): Promise<Reply[]> {
    return (await this.handleTurn(msg)).replies;
  }

  /**
   * The replies and the language they are in (the /try page follows it). Turns of one chat
   * account run one after another in this process: each reads the state the previous one left
   * (the channel adapters already deliver one chat's updates in order; the /try page's browser
   * may send several at once).
   */
  async handleTurn(msg: InboundMessage): Promise<{ replies: Reply[]; lang: Lang }> {
    const parsed = inboundMessageSchema.safeParse(msg);
    if (!parsed.success) throw new AppError("bad_request", "Invalid inbound message", parsed.error.issues);
    const m = parsed.data as InboundMessage;
    return this.turns.run(`${m.channel}:${m.userId}`, () => this.turn(m));
  }

  private async turn(m: InboundMessage): Promise<{ replies: Reply[]; lang: Lang }> {
    const now = this.now();
    const { store } = this.deps;
    const understanding = understandInput(m.input, this.deps.understander);
    // "Where is my dossier?" — most of what citizens send: the linked cards come with the
    // account touch, in one statement.
    const intent = understanding.intent;
    const withCards = intent.kind === "status" && intent.codes.length === 0 && intent.dossierId === undefined;
    const account = await store.touchAccount(m.channel, m.userId, m.at ?? now, { withCards });
    const turnStore = withCards ? keepingCards(store, account) : store;
    const lang = answerLanguage(account, understanding, m.languageHint);
    // Not chosen, but written in: notices and the survey follow the language the citizen uses.
    if (!account.languageChosen && lang !== account.language && (understanding.lang || !account.language)) {
      await store.setLanguage(account, lang, false);
      account.language = lang;
    }
    const state = parseState(account.state, now);
    const turn: Turn = {
      message: m,
      channel: m.channel,
      now,
      account,
      lang,
      state,
      erased: false,
      understanding,
      store: turnStore,
      env: { calendar: this.deps.calendar, hotlineFallback: this.deps.hotlineFallback, portalUrl: this.deps.portalUrl ?? "https://dichvucong.gov.vn", slip: this.deps.slip },
    };
    const replies = await run(this.handlers, turn);
    if (!turn.erased && JSON.stringify(turn.state) !== JSON.stringify(state)) await store.saveState(account.id, turn.state);
    else if (!turn.erased && state.step === "idle" && account.state !== null) await store.saveState(account.id, null); // expired or damaged state
    return { replies, lang: turn.lang };
  }
}

/** Store calls after which the cards read with the account still show what the citizen owns. */
const KEEPS_CARDS: ReadonlySet<keyof ConversationStore> = new Set<keyof ConversationStore>([
  "linkedDossiers",
  "linkedCards",
  "citizenDossier",
  "recordCardView",
  "unitContacts",
  "proofGate",
  "noticeChannels",
  "noticeChoice",
  "setLanguage",
  "recordUnrecognised",
]);

/**
 * The store as this turn sees it: any call not known to leave the links alone (a proof, an
 * unlink, an erasure, or anything added later) drops the cards read with the account, so a
 * handler can never show a card from before a change in the same turn.
 */
export function keepingCards(store: ConversationStore, account: AccountRecord): ConversationStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (KEEPS_CARDS.has(prop as keyof ConversationStore)) return fn.bind(target);
      return (...args: unknown[]) => {
        delete account.linkedCards;
        return fn.apply(target, args);
      };
    },
  });
}
