// The citizen conversation, written once for every channel: an InboundMessage in, Reply
// data out. Adapters (Telegram, Zalo, the browser try page) only translate.
//
// State machine (per channel account, stored in Conversation.state):
//   idle ──code──▶ await_consent ──Đồng ý──▶ await_proof ──right proof──▶ idle (+ link, card)
//     │  (already consented: straight to await_proof)   │ wrong proof: stay, attempts left
//     │                         └─Không đồng ý─▶ idle    └ 5th failure today / locked ─▶ idle
//     └──"xóa dữ liệu"──▶ confirm_delete ──yes──▶ (conversation deleted) / no ──▶ idle
// Everything else (status, help, unlink, language, notice channel, menu) answers without leaving the step
// the citizen is in, so a question in the middle of linking does not lose the flow.
import { z } from "zod";
import type { Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import { formatLocal } from "../calendar.ts";
import type { CalendarStore } from "../calendar-store.ts";
import { decodeStartPayload, extractDossierCode, normalizeDossierCode } from "../dossier-code.ts";
import { AppError } from "../errors.ts";
import { maskPhone, type IdentityHasher } from "../identity.ts";
import { DEFAULT_LANGUAGE, isLang, t, type Lang, type MessageArgs } from "../i18n/index.ts";
import { decodeButton, encodeButton, type MenuItem, type NoticeChoice } from "./buttons.ts";
import { citizenDossierSelect, dossierLabel, openingHours, renderStatusCard } from "./citizen-view.ts";
import { eraseAccountData } from "./erasure.ts";
import { rateButton } from "../survey/render.ts";
import { DossierStatus } from "../status.ts";
import type { ConversationInterceptor } from "./interceptor.ts";
import { matchIntent } from "./intents.ts";
import { Linking, type Proof } from "./linking.ts";
import { IDLE, parseState, type ConversationState } from "./state.ts";
import type { Button, ChannelName, Command, Inbound, InboundMessage, Reply } from "./types.ts";

export type { Button, ChannelName, Command, Inbound, InboundMessage, Reply } from "./types.ts";

export interface ConversationDeps {
  prisma: PrismaClient;
  calendar: CalendarStore;
  hasher: IdentityHasher;
  now?: () => Date;
  /** Shown by "gặp cán bộ" when the citizen's unit has no hotline (or no dossier is linked). */
  hotlineFallback?: string;
  /**
   * Features that own part of the chat (survey answers, …), asked in order before the
   * conversation itself; the first non-null answer is the reply and the state is untouched.
   */
  interceptors?: ConversationInterceptor[];
}

/** Longest text looked at (Telegram's message limit); the rest cannot change the intent. */
const MAX_TEXT = 4096;
/** Cards shown at once when one message carries several linked codes. */
const MAX_CARDS = 3;

const COMMANDS = ["start", "help", "status", "link", "unlink", "language", "delete", "menu"] as const satisfies readonly Command[];

// Adapters are ours, but a malformed message must fail loudly rather than half-work.
const inboundMessageSchema = z.object({
  channel: z.enum(["telegram", "zalo", "web"]),
  userId: z.string().trim().min(1).max(128),
  displayName: z.string().max(256).optional(),
  languageHint: z.string().max(35).optional(),
  input: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("text"), text: z.string() }),
    z.object({ kind: z.literal("button"), data: z.string() }),
    z.object({ kind: z.literal("contact"), phone: z.string().max(64), own: z.boolean() }),
    z.object({ kind: z.literal("command"), command: z.enum(COMMANDS), args: z.string() }),
  ]),
  at: z.date().optional(),
});

const accountInclude = {
  conversation: true,
  // The citizen's chat channels decide whether the menu offers the notice-channel choice.
  citizen: { include: { accounts: { select: { channel: true } } } },
} as const satisfies Prisma.ChannelAccountInclude;

type Account = Prisma.ChannelAccountGetPayload<{ include: typeof accountInclude }>;

/** Channels that carry notices (the web try page gets none), in button order. */
const NOTICE_CHANNELS = ["telegram", "zalo"] as const;
type NoticeChannel = (typeof NOTICE_CHANNELS)[number];
const CHANNEL_LABEL: Record<NoticeChannel, string> = { telegram: "Telegram", zalo: "Zalo" };

/** One inbound message being handled. */
interface Turn {
  account: Account;
  lang: Lang;
  state: ConversationState;
  now: Date;
  channel: ChannelName;
  displayName: string | undefined;
}

interface Outcome {
  replies: Reply[];
  /** The next state; absent keeps the current one; "erased" means the row is gone. */
  state?: ConversationState | "erased";
}

export class ConversationService {
  private readonly prisma: PrismaClient;
  private readonly now: () => Date;
  private readonly linking: Linking;

  constructor(private readonly deps: ConversationDeps) {
    this.prisma = deps.prisma;
    this.now = deps.now ?? (() => new Date());
    this.linking = new Linking(deps.prisma, deps.hasher);
  }

  async handle(msg: InboundMessage): Promise<Reply[]> {
    const parsed = inboundMessageSchema.safeParse(msg);
    if (!parsed.success) throw new AppError("bad_request", "Invalid inbound message", parsed.error.issues);
    const m = parsed.data;
    const now = this.now();
    const account = await this.upsertAccount(m.channel, m.userId, m.languageHint, m.at ?? now);
    const turn: Turn = {
      account,
      lang: languageOf(account),
      state: parseState(account.conversation?.state, now),
      now,
      channel: m.channel,
      displayName: m.displayName,
    };
    for (const intercept of this.deps.interceptors ?? []) {
      const replies = await intercept({
        prisma: this.prisma,
        channel: m.channel,
        accountId: account.id,
        citizenId: account.citizenId,
        language: turn.lang,
        input: m.input,
        now,
      });
      if (replies) return replies;
    }
    const outcome = await this.dispatch(turn, m.input);
    await this.saveState(turn, outcome.state);
    return outcome.replies;
  }

  // ------------------------------------------------------------------ plumbing

  private async upsertAccount(channel: ChannelName, platformUserId: string, languageHint: string | undefined, at: Date): Promise<Account> {
    // The platform's language is only the first guess; the citizen's choice wins later.
    const language = languageHint?.toLowerCase().startsWith("en") ? "en" : null;
    // One statement instead of Prisma's select-update-select upsert (this runs on every
    // message); ON CONFLICT also settles two first messages of a new user racing.
    // A citizen who writes again has unblocked the bot (Telegram 403, Zalo unfollow).
    const [row] = await this.prisma.$queryRaw<{ id: number }[]>`
      INSERT INTO "ChannelAccount" ("channel", "platformUserId", "language", "lastInboundAt")
      VALUES (${channel}::"Channel", ${platformUserId}, ${language}, ${at})
      ON CONFLICT ("channel", "platformUserId") DO UPDATE
        SET "lastInboundAt" = EXCLUDED."lastInboundAt", "blockedAt" = NULL, "blockedReason" = NULL
      RETURNING "id"`;
    return this.prisma.channelAccount.findUniqueOrThrow({ where: { id: row!.id }, include: accountInclude });
  }

  private async saveState(turn: Turn, next: Outcome["state"]): Promise<void> {
    if (next === "erased") return;
    const state = next ?? turn.state;
    const stored = turn.account.conversation;
    // An idle newcomer needs no row; an unchanged state needs no write.
    if (!stored && state.step === "idle") return;
    if (stored && JSON.stringify(stored.state) === JSON.stringify(state)) return;
    const json = state as Prisma.InputJsonObject;
    await this.prisma.conversation.upsert({
      where: { accountId: turn.account.id },
      create: { accountId: turn.account.id, state: json },
      update: { state: json },
    });
  }

  private dispatch(turn: Turn, input: Inbound): Promise<Outcome> {
    switch (input.kind) {
      case "text":
        return this.onText(turn, input.text.slice(0, MAX_TEXT));
      case "button":
        return this.onButton(turn, input.data);
      case "contact":
        return this.onContact(turn, input.phone, input.own);
      case "command":
        return this.onCommand(turn, input.command, input.args.slice(0, MAX_TEXT).trim());
    }
  }

  // ------------------------------------------------------------------ inputs

  private async onText(turn: Turn, text: string): Promise<Outcome> {
    const intent = matchIntent(text);
    const st = turn.state;
    if (st.step === "await_consent" && (intent.kind === "yes" || intent.kind === "no")) return this.answerConsent(turn, intent.kind === "yes");
    if (st.step === "await_proof" && intent.kind === "last4") return this.prove(turn, { kind: "id_last4", digits: intent.digits });
    if (st.step === "await_proof" && intent.kind === "number") return { replies: [this.proofReply(turn, "proof-digits-format", {})] };
    if (st.step === "confirm_delete" && (intent.kind === "yes" || intent.kind === "no")) return this.answerDelete(turn, intent.kind === "yes");

    switch (intent.kind) {
      case "codes":
        return this.onCodes(turn, intent.codes);
      case "status":
        return this.status(turn);
      case "help":
        return this.help(turn);
      case "link":
        return { replies: [this.text(turn, "link-ask-code")] };
      case "unlink":
        return this.unlinkChoice(turn);
      case "delete":
        return this.askDelete(turn);
      case "language":
        return this.setLanguage(turn, intent.lang);
      case "notices":
        return intent.choice ? this.setNoticeChannel(turn, intent.choice) : this.noticeChoice(turn);
      case "greeting":
        return { replies: [this.menu(turn, "welcome")] };
      case "menu":
        return { replies: [this.menu(turn, "menu-prompt")] };
      case "cancel":
        return st.step === "idle" ? { replies: [this.menu(turn, "menu-prompt")] } : { replies: [this.menu(turn, "cancelled")], state: IDLE };
      default:
        // Not understood: repeat the pending question, or offer the menu. Never silence.
        return st.step === "idle" ? { replies: [this.menu(turn, "not-understood")] } : this.reprompt(turn);
    }
  }

  private async onButton(turn: Turn, data: string): Promise<Outcome> {
    const action = decodeButton(data);
    if (!action) return { replies: [this.menu(turn, "button-invalid")] };
    switch (action.kind) {
      case "consent":
        return turn.state.step === "await_consent" ? this.answerConsent(turn, action.accept) : { replies: [this.menu(turn, "button-invalid")] };
      case "delete":
        return turn.state.step === "confirm_delete" ? this.answerDelete(turn, action.confirm) : { replies: [this.menu(turn, "button-invalid")] };
      case "language":
        return this.setLanguage(turn, action.lang);
      case "status":
        return this.showLinked(turn, action.dossierId);
      case "unlink":
        return this.unlinkById(turn, action.dossierId);
      case "menu":
        return this.onMenuItem(turn, action.item);
      case "notices":
        return this.setNoticeChannel(turn, action.choice);
    }
  }

  private async onContact(turn: Turn, phone: string, own: boolean): Promise<Outcome> {
    const st = turn.state;
    if (st.step === "await_proof") {
      if (!own) return { replies: [this.proofReply(turn, "proof-not-own", {})] };
      return this.prove(turn, { kind: "phone", phone });
    }
    // Consent comes first; a number shared before it is not used.
    if (st.step === "await_consent") return this.reprompt(turn);
    return { replies: [this.menu(turn, "contact-unexpected")] };
  }

  private async onCommand(turn: Turn, command: Command, args: string): Promise<Outcome> {
    switch (command) {
      case "start": {
        const code = args ? (decodeStartPayload(args) ?? codeIn(args)) : null;
        return code ? this.onCodes(turn, [code]) : { replies: [this.menu(turn, "welcome")] };
      }
      case "help":
        return this.help(turn);
      case "status": {
        const code = args ? codeIn(args) : null;
        return code ? this.onCodes(turn, [code]) : this.status(turn);
      }
      case "link": {
        if (!args) return { replies: [this.text(turn, "link-ask-code")] };
        const code = codeIn(args);
        return code ? this.onCodes(turn, [code]) : { replies: [this.text(turn, "link-bad-code")] };
      }
      case "unlink": {
        const code = args ? codeIn(args) : null;
        return code ? this.unlinkByCode(turn, code) : this.unlinkChoice(turn);
      }
      case "language": {
        const intent = args ? matchIntent(args) : null;
        const lang = isLang(args.toLowerCase()) ? (args.toLowerCase() as Lang) : intent?.kind === "language" ? intent.lang : null;
        return lang ? this.setLanguage(turn, lang) : { replies: [this.languageChoice(turn)] };
      }
      case "delete":
        return this.askDelete(turn);
      case "menu":
        return { replies: [this.menu(turn, "menu-prompt")] };
    }
  }

  private onMenuItem(turn: Turn, item: MenuItem): Promise<Outcome> | Outcome {
    switch (item) {
      case "menu":
        return { replies: [this.menu(turn, "menu-prompt")] };
      case "status":
        return this.status(turn);
      case "link":
        return { replies: [this.text(turn, "link-ask-code")] };
      case "help":
        return this.help(turn);
      case "unlink":
        return this.unlinkChoice(turn);
      case "delete":
        return this.askDelete(turn);
      case "language":
        return { replies: [this.languageChoice(turn)] };
      case "notices":
        return this.noticeChoice(turn);
    }
  }

  // ------------------------------------------------------------------ linking

  /** Codes in a message: a linked one shows its card, the first other one starts linking. */
  private async onCodes(turn: Turn, codes: string[]): Promise<Outcome> {
    const citizenId = turn.account.citizenId;
    if (citizenId !== null) {
      const linked = await this.prisma.dossierLink.findMany({
        where: { citizenId, dossier: { code: { in: codes } } },
        select: { dossierId: true, dossier: { select: { code: true } } },
      });
      const linkedCodes = new Set(linked.map((l) => l.dossier.code));
      const unlinked = codes.find((c) => !linkedCodes.has(c));
      if (unlinked === undefined) {
        const replies: Reply[] = [];
        for (const code of codes.slice(0, MAX_CARDS)) {
          const id = linked.find((l) => l.dossier.code === code)?.dossierId;
          const card = id === undefined ? null : await this.card(turn, citizenId, id);
          if (card) replies.push(card);
        }
        return { replies };
      }
      return this.startLink(turn, unlinked);
    }
    return this.startLink(turn, codes[0] as string);
  }

  /**
   * The answers here depend only on the code's lock and the account's consent, never on
   * whether the dossier exists.
   */
  private async startLink(turn: Turn, code: string): Promise<Outcome> {
    const until = await this.linking.lockedUntil(code, turn.now);
    if (until) return { replies: [this.locked(turn, code, until)], state: IDLE };
    const since = turn.now.toISOString();
    if (!turn.account.consentAt) return { replies: [this.consentPrompt(turn, code)], state: { step: "await_consent", code, since } };
    return { replies: [this.proofReply(turn, "proof-request", { code })], state: { step: "await_proof", code, since } };
  }

  private async answerConsent(turn: Turn, accept: boolean): Promise<Outcome> {
    const st = turn.state;
    if (st.step !== "await_consent") return { replies: [this.menu(turn, "button-invalid")] };
    // Refusal stores nothing: the pending code is dropped with the state.
    if (!accept) return { replies: [this.menu(turn, "consent-refused")], state: IDLE };
    await this.prisma.channelAccount.update({
      where: { id: turn.account.id },
      data: { consentAt: turn.now, displayName: turn.displayName ?? null },
    });
    turn.account.consentAt = turn.now;
    const until = await this.linking.lockedUntil(st.code, turn.now);
    if (until) return { replies: [this.locked(turn, st.code, until)], state: IDLE };
    return {
      replies: [this.text(turn, "consent-thanks"), this.proofReply(turn, "proof-request", { code: st.code })],
      state: { step: "await_proof", code: st.code, since: turn.now.toISOString() },
    };
  }

  private async prove(turn: Turn, proof: Proof): Promise<Outcome> {
    const st = turn.state;
    if (st.step !== "await_proof") return { replies: [this.menu(turn, "not-understood")] };
    const consentAt = turn.account.consentAt;
    // Consent withdrawn meanwhile (e.g. "delete my data" from another device): ask again.
    if (!consentAt) return { replies: [this.consentPrompt(turn, st.code)], state: { step: "await_consent", code: st.code, since: turn.now.toISOString() } };

    const r = await this.linking.prove({ id: turn.account.id, channel: turn.channel, consentAt }, st.code, proof, turn.lang, turn.now);
    switch (r.kind) {
      case "locked":
        return { replies: [this.locked(turn, st.code, r.until)], state: IDLE };
      case "wrong":
        return { replies: [this.proofReply(turn, "proof-wrong", { code: st.code, left: r.attemptsLeft })] };
      case "linked": {
        turn.account.citizenId = r.citizenId;
        const done =
          r.phone !== null
            ? this.text(turn, "link-success-phone", { code: st.code, phone: maskPhone(r.phone) })
            : this.text(turn, "link-success-id", { code: st.code });
        const card = await this.card(turn, r.citizenId, r.dossierId);
        return { replies: card ? [done, card] : [done], state: IDLE };
      }
    }
  }

  // ------------------------------------------------------------------ status

  private async linkedDossiers(citizenId: number | null) {
    if (citizenId === null) return [];
    const links = await this.prisma.dossierLink.findMany({
      where: { citizenId },
      orderBy: { id: "asc" },
      select: { dossier: { select: { id: true, code: true, procedure: { select: { name: true } } } } },
    });
    return links.map((l) => l.dossier);
  }

  private async status(turn: Turn): Promise<Outcome> {
    const dossiers = await this.linkedDossiers(turn.account.citizenId);
    const [only] = dossiers;
    if (!only) return { replies: [this.menu(turn, "status-none")] };
    if (dossiers.length === 1) {
      const card = await this.card(turn, turn.account.citizenId as number, only.id);
      return { replies: card ? [card] : [this.menu(turn, "status-none")] };
    }
    const buttons = dossiers.map((d) => [{ label: dossierLabel(d), data: encodeButton({ kind: "status", dossierId: d.id }) }]);
    return { replies: [this.text(turn, "status-choose", { count: dossiers.length }, buttons)] };
  }

  /** Button data names a dossier id: it counts only if the citizen has linked that dossier. */
  private async showLinked(turn: Turn, dossierId: number): Promise<Outcome> {
    const citizenId = turn.account.citizenId;
    const card = citizenId === null ? null : await this.card(turn, citizenId, dossierId);
    return { replies: [card ?? this.menu(turn, "dossier-not-available")] };
  }

  /** The status card of a dossier linked to the citizen, or null when there is no such link. */
  private async card(turn: Turn, citizenId: number, dossierId: number): Promise<Reply | null> {
    const link = await this.prisma.dossierLink.findUnique({
      where: { citizenId_dossierId: { citizenId, dossierId } },
      select: { dossier: { select: citizenDossierSelect } },
    });
    if (!link) return null;
    const cal = await this.deps.calendar.get();
    await this.prisma.auditLog.create({
      data: { actor: `citizen:${citizenId}`, action: "dossier.view", target: link.dossier.code, details: { channel: turn.channel } },
    });
    return {
      kind: "text",
      text: renderStatusCard(turn.lang, link.dossier, cal, turn.now),
      buttons: [
        // A returned dossier can be rated from its card (the survey interceptor takes the press).
        ...(link.dossier.status === DossierStatus.RETURNED ? [[rateButton(dossierId, turn.lang)]] : []),
        [
          { label: t(turn.lang, "menu-help"), data: encodeButton({ kind: "menu", item: "help" }) },
          { label: t(turn.lang, "menu-main"), data: encodeButton({ kind: "menu", item: "menu" }) },
        ],
      ],
    };
  }

  private async help(turn: Turn): Promise<Outcome> {
    const lang = turn.lang;
    const fallback = this.deps.hotlineFallback;
    const units =
      turn.account.citizenId === null
        ? []
        : await this.prisma.unit.findMany({
            where: { dossiers: { some: { links: { some: { citizenId: turn.account.citizenId } } } } },
            select: { name: true, hotline: true, address: true, openingHours: true },
            orderBy: { id: "asc" },
          });
    const blocks: string[] = [];
    if (units.length > 0) {
      const cal = await this.deps.calendar.get();
      for (const u of units) {
        const lines = [t(lang, "help-unit", { unit: u.name })];
        if (u.hotline) lines.push(t(lang, "help-hotline", { hotline: u.hotline }));
        else if (fallback) lines.push(t(lang, "help-fallback", { hotline: fallback }));
        if (u.address) lines.push(t(lang, "result-address", { address: u.address }));
        lines.push(t(lang, "result-hours", { hours: openingHours(lang, u, cal) }));
        blocks.push(lines.join("\n"));
      }
    } else {
      blocks.push(fallback ? t(lang, "help-fallback", { hotline: fallback }) : t(lang, "help-generic"));
    }
    const text = [t(lang, "help-intro"), ...blocks, t(lang, "help-usage")].join("\n\n");
    return { replies: [{ kind: "text", text, buttons: this.menuButtons(lang, hasSeveralNoticeChannels(turn.account)) }] };
  }

  // ------------------------------------------------------------------ unlink and delete

  private async unlinkChoice(turn: Turn): Promise<Outcome> {
    const dossiers = await this.linkedDossiers(turn.account.citizenId);
    if (dossiers.length === 0) return { replies: [this.menu(turn, "unlink-none")] };
    const buttons = dossiers.map((d) => [{ label: dossierLabel(d), data: encodeButton({ kind: "unlink", dossierId: d.id }) }]);
    return { replies: [this.text(turn, "unlink-choose", {}, buttons)] };
  }

  private async unlinkById(turn: Turn, dossierId: number): Promise<Outcome> {
    const citizenId = turn.account.citizenId;
    const link =
      citizenId === null
        ? null
        : await this.prisma.dossierLink.findUnique({
            where: { citizenId_dossierId: { citizenId, dossierId } },
            select: { id: true, citizenId: true, dossier: { select: { code: true } } },
          });
    if (!link) return { replies: [this.menu(turn, "dossier-not-available")] };
    return this.removeLink(turn, link);
  }

  private async unlinkByCode(turn: Turn, code: string): Promise<Outcome> {
    const citizenId = turn.account.citizenId;
    const link =
      citizenId === null
        ? null
        : await this.prisma.dossierLink.findFirst({
            where: { citizenId, dossier: { code } },
            select: { id: true, citizenId: true, dossier: { select: { code: true } } },
          });
    if (!link) return { replies: [this.menu(turn, "unlink-not-linked", { code })] };
    return this.removeLink(turn, link);
  }

  private async removeLink(turn: Turn, link: { id: number; citizenId: number; dossier: { code: string } }): Promise<Outcome> {
    await this.prisma.$transaction([
      this.prisma.dossierLink.deleteMany({ where: { id: link.id } }),
      this.prisma.auditLog.create({ data: { actor: `citizen:${link.citizenId}`, action: "dossier.unlink", target: link.dossier.code, details: { channel: turn.channel } } }),
    ]);
    return { replies: [this.menu(turn, "unlink-done", { code: link.dossier.code })] };
  }

  private async askDelete(turn: Turn): Promise<Outcome> {
    const citizenId = turn.account.citizenId;
    const count = citizenId === null ? 0 : await this.prisma.dossierLink.count({ where: { citizenId } });
    const buttons = [
      [
        { label: t(turn.lang, "delete-yes"), data: encodeButton({ kind: "delete", confirm: true }) },
        { label: t(turn.lang, "delete-no"), data: encodeButton({ kind: "delete", confirm: false }) },
      ],
    ];
    return { replies: [this.text(turn, "delete-confirm", { count }, buttons)], state: { step: "confirm_delete", since: turn.now.toISOString() } };
  }

  private async answerDelete(turn: Turn, confirm: boolean): Promise<Outcome> {
    if (!confirm) return { replies: [this.menu(turn, "delete-cancelled")], state: IDLE };
    const r = await eraseAccountData(this.prisma, turn.account.id, turn.now);
    const lang = turn.lang;
    const lines = [t(lang, "delete-done")];
    lines.push(r.unlinkedCodes.length ? t(lang, "delete-links", { codes: r.unlinkedCodes.join(", ") }) : t(lang, "delete-links-none"));
    if (r.conversationDeleted) lines.push(t(lang, "delete-conversation"));
    if (r.attemptsDeleted > 0) lines.push(t(lang, "delete-attempts", { count: r.attemptsDeleted }));
    if (r.citizenDeleted) lines.push(r.citizenPhone ? t(lang, "delete-citizen-phone", { phone: maskPhone(r.citizenPhone) }) : t(lang, "delete-citizen"));
    if (r.citizenKeptForOtherAccounts) lines.push(t(lang, "delete-citizen-kept"));
    if (r.consentWithdrawn) lines.push(t(lang, "delete-consent"));
    if (r.failedAttemptsKept > 0) lines.push("", t(lang, "delete-kept-attempts", { count: r.failedAttemptsKept, until: formatLocal(r.attemptsKeptUntil) }));
    // The account is detached from the citizen now: no notice-channel entry in the menu.
    return { replies: [{ kind: "text", text: lines.join("\n"), buttons: this.menuButtons(lang, false) }], state: "erased" };
  }

  // ------------------------------------------------------------------ language

  private async setLanguage(turn: Turn, lang: Lang): Promise<Outcome> {
    await this.prisma.channelAccount.update({ where: { id: turn.account.id }, data: { language: lang } });
    if (turn.account.citizenId !== null) await this.prisma.citizen.update({ where: { id: turn.account.citizenId }, data: { language: lang } });
    turn.account.language = lang;
    turn.lang = lang;
    const replies = [this.menu(turn, "language-set")];
    // In the middle of a flow, ask the pending question again in the new language.
    if (turn.state.step !== "idle") replies.push(...(await this.reprompt(turn)).replies);
    return { replies };
  }

  private languageChoice(turn: Turn): Reply {
    return this.text(turn, "language-choose", {}, [
      [
        { label: t(turn.lang, "language-name-vi"), data: encodeButton({ kind: "language", lang: "vi" }) },
        { label: t(turn.lang, "language-name-en"), data: encodeButton({ kind: "language", lang: "en" }) },
      ],
    ]);
  }

  // ------------------------------------------------------------------ where notices go

  /** The citizen's chat channels that carry notices, read fresh (a link may have just added one). */
  private async noticeChannels(citizenId: number): Promise<NoticeChannel[]> {
    const rows = await this.prisma.channelAccount.findMany({
      where: { citizenId, channel: { in: [...NOTICE_CHANNELS] } },
      distinct: ["channel"],
      select: { channel: true },
    });
    return NOTICE_CHANNELS.filter((c) => rows.some((r) => r.channel === c));
  }

  /** Answer when there is nothing to choose: no linked chat, or one channel only. */
  private noChoice(turn: Turn, channels: NoticeChannel[]): Outcome {
    const [only] = channels;
    if (!only) return { replies: [this.menu(turn, "notices-none")] };
    const other = only === "telegram" ? "zalo" : "telegram";
    return { replies: [this.menu(turn, "notices-single", { channel: CHANNEL_LABEL[only], other: CHANNEL_LABEL[other] })] };
  }

  /** "Where do notices go?": the choice is offered only to a citizen with chats on both channels. */
  private async noticeChoice(turn: Turn): Promise<Outcome> {
    const citizenId = turn.account.citizenId;
    if (citizenId === null) return this.noChoice(turn, []);
    const channels = await this.noticeChannels(citizenId);
    if (channels.length < 2) return this.noChoice(turn, channels);
    const citizen = await this.prisma.citizen.findUnique({ where: { id: citizenId }, select: { noticeChannel: true } });
    const chosen = citizen?.noticeChannel;
    const current = chosen === "telegram" || chosen === "zalo" ? CHANNEL_LABEL[chosen] : "all";
    const button = (id: string, choice: NoticeChoice): Button[] => [{ label: t(turn.lang, id), data: encodeButton({ kind: "notices", choice }) }];
    return {
      replies: [this.text(turn, "notices-choose", { current }, [button("notices-telegram", "telegram"), button("notices-zalo", "zalo"), button("notices-all", "all")])],
    };
  }

  /** Stores the choice (null = every linked chat account); with one channel there is nothing to store. */
  private async setNoticeChannel(turn: Turn, choice: NoticeChoice): Promise<Outcome> {
    const citizenId = turn.account.citizenId;
    if (citizenId === null) return this.noChoice(turn, []);
    const channels = await this.noticeChannels(citizenId);
    if (channels.length < 2) return this.noChoice(turn, channels);
    await this.prisma.citizen.update({ where: { id: citizenId }, data: { noticeChannel: choice === "all" ? null : choice } });
    if (choice === "all") return { replies: [this.menu(turn, "notices-set-all")] };
    const other = choice === "telegram" ? "zalo" : "telegram";
    return { replies: [this.menu(turn, "notices-set-one", { channel: CHANNEL_LABEL[choice], other: CHANNEL_LABEL[other] })] };
  }

  // ------------------------------------------------------------------ replies

  /** The pending question again (after an answer that did not fit it). */
  private async reprompt(turn: Turn): Promise<Outcome> {
    const st = turn.state;
    switch (st.step) {
      case "await_consent":
        return { replies: [this.consentPrompt(turn, st.code)] };
      case "await_proof":
        return { replies: [this.proofReply(turn, "proof-request", { code: st.code })] };
      case "confirm_delete":
        return this.askDelete(turn);
      case "idle":
        return { replies: [this.menu(turn, "not-understood")] };
    }
  }

  private text(turn: Turn, id: string, args: MessageArgs = {}, buttons?: Button[][]): Reply {
    const text = t(turn.lang, id, args);
    return buttons ? { kind: "text", text, buttons } : { kind: "text", text };
  }

  private menu(turn: Turn, id: string, args: MessageArgs = {}): Reply {
    return this.text(turn, id, args, this.menuButtons(turn.lang, hasSeveralNoticeChannels(turn.account)));
  }

  /** The main menu; `notices` adds "where notices go" (citizens with chats on both channels). */
  private menuButtons(lang: Lang, notices: boolean): Button[][] {
    const other: Lang = lang === "vi" ? "en" : "vi";
    const item = (id: string, menuItem: MenuItem): Button => ({ label: t(lang, id), data: encodeButton({ kind: "menu", item: menuItem }) });
    return [
      [item("menu-status", "status"), item("menu-link", "link")],
      [item("menu-help", "help"), item("menu-unlink", "unlink")],
      [{ label: t(lang, `language-name-${other}`), data: encodeButton({ kind: "language", lang: other }) }, item("menu-delete", "delete")],
      ...(notices ? [[item("menu-notices", "notices")]] : []),
    ];
  }

  private consentPrompt(turn: Turn, code: string): Reply {
    return this.text(turn, "consent-request", { code }, [
      [
        { label: t(turn.lang, "consent-yes"), data: encodeButton({ kind: "consent", accept: true }) },
        { label: t(turn.lang, "consent-no"), data: encodeButton({ kind: "consent", accept: false }) },
      ],
    ]);
  }

  /** Every answer in the proof step keeps the share-phone button at hand. */
  private proofReply(turn: Turn, id: string, args: MessageArgs): Reply {
    return { kind: "request_phone", text: t(turn.lang, id, args), buttonLabel: t(turn.lang, "proof-share-phone") };
  }

  private locked(turn: Turn, code: string, until: Date): Reply {
    return this.text(turn, "proof-locked", { code, until: formatLocal(until) });
  }
}

/** Does the account's citizen have chats on more than one notice channel (as loaded this turn)? */
function hasSeveralNoticeChannels(account: Account): boolean {
  const accounts = account.citizenId === null ? [] : (account.citizen?.accounts ?? []);
  return new Set(accounts.map((a) => a.channel).filter((c) => c !== "web")).size > 1;
}

function languageOf(account: Account): Lang {
  const chosen = account.language ?? account.citizen?.language;
  return isLang(chosen) ? chosen : DEFAULT_LANGUAGE;
}

/** A dossier code given as the whole argument (sloppy typing allowed) or inside it. */
function codeIn(text: string): string | null {
  const whole = normalizeDossierCode(text);
  return whole.ok ? whole.code : extractDossierCode(text);
}
