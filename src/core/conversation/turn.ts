// One inbound message being handled, and the small vocabulary every handler answers with.
import type { WorkingCalendar } from "../calendar.ts";
import { t, type MessageArgs } from "../i18n/index.ts";
import type { ChatChannel } from "../kernel/channels.ts";
import type { Lang } from "../kernel/lang.ts";
import { encodeButton, type MenuItem } from "./buttons.ts";
import type { ConversationState } from "./state.ts";
import type { AccountRecord, ConversationStore, UnitContact } from "./store.ts";
import type { Button, InboundMessage, Reply } from "./types.ts";
import type { Understanding } from "./understanding/understand.ts";

export interface Turn {
  readonly message: InboundMessage;
  readonly channel: ChatChannel;
  readonly now: Date;
  /** The chat account; handlers keep it current when they change it (link, consent, language). */
  readonly account: AccountRecord;
  /** The language of this answer. */
  lang: Lang;
  /** The conversation state; a handler that sets it changes what is stored after the turn. */
  state: ConversationState;
  /** Set by erasure: nothing is stored after the turn. */
  erased: boolean;
  /** What the input asks for. */
  readonly understanding: Understanding;
  readonly store: ConversationStore;
  readonly env: TurnEnvironment;
}

/** Settings and services handlers may use beyond the store. */
export interface TurnEnvironment {
  calendar(): Promise<WorkingCalendar>;
  /** Shown when the citizen's unit has no hotline (or no dossier is linked). */
  hotlineFallback: string | undefined;
  /** The national public service portal, where procedures, fees and documents are described. */
  portalUrl: string;
  /** Receipt slips (absent: no slip links in this deployment). */
  slip: SlipGateway | undefined;
}

/** What the conversation needs of receipt slips (docs/slip.md). */
export interface SlipGateway {
  /** Whether arriving through a genuine slip proves ownership (SLIP_PROOF). */
  proof: boolean;
  /** The dossier code of a genuine, unexpired slip token; null for anything else. */
  verify(token: string, now: Date): string | null;
  /** Is this text shaped like a slip token (it may still be forged)? */
  looksLikeToken(text: string): boolean;
  /** The normalised short slip code a text is shaped like, or null. */
  shortCodeOf(text: string): string | null;
  /** The dossier code of a short slip code, or null (unknown or expired). */
  lookupShortCode(shortCode: string, now: Date): Promise<string | null>;
}

/** A conversation step: answer, or pass the turn on with next(). */
export type Handler = (turn: Turn, next: () => Promise<Reply[]>) => Promise<Reply[]>;

export function say(turn: Turn, id: string, args: MessageArgs = {}, buttons?: Button[][]): Reply {
  const text = t(turn.lang, id, args);
  return buttons && buttons.length ? { kind: "text", text, buttons } : { kind: "text", text };
}

/** A message followed by the main menu. */
export function withMenu(turn: Turn, id: string, args: MessageArgs = {}): Reply {
  return say(turn, id, args, menuButtons(turn));
}

/** Does the citizen have chats on more than one notice channel? Then the menu offers the choice. */
function severalNoticeChannels(account: AccountRecord): boolean {
  return account.citizenId !== null && account.citizenChannels.filter((c) => c !== "web").length > 1;
}

export function menuButtons(turn: Turn): Button[][] {
  const lang = turn.lang;
  const other: Lang = lang === "vi" ? "en" : "vi";
  const item = (id: string, menuItem: MenuItem): Button => ({ label: t(lang, id), data: encodeButton({ kind: "menu", item: menuItem }) });
  return [
    [item("menu-status", "status"), item("menu-link", "link")],
    [item("menu-help", "help"), item("menu-unlink", "unlink")],
    [{ label: t(lang, `language-name-${other}`), data: encodeButton({ kind: "language", lang: other }) }, item("menu-delete", "delete")],
    ...(severalNoticeChannels(turn.account) ? [[item("menu-notices", "notices")]] : []),
  ];
}

/** The hotline lines of the citizen's units, or the fallback hotline, or a general pointer. */
export async function contactLines(turn: Turn, units?: UnitContact[]): Promise<string[]> {
  const list = units ?? (await turn.store.unitContacts(turn.account.citizenId));
  const lines: string[] = [];
  for (const u of list) {
    if (u.hotline) lines.push(`• ${u.name}: ${u.hotline}`);
  }
  if (lines.length === 0 && turn.env.hotlineFallback) lines.push(`• ${t(turn.lang, "help-fallback", { hotline: turn.env.hotlineFallback })}`);
  return lines;
}

/** One hotline to name in a sentence ("please call …"). */
export async function oneContact(turn: Turn): Promise<string | null> {
  const units = await turn.store.unitContacts(turn.account.citizenId);
  const withHotline = units.find((u) => u.hotline);
  if (withHotline) return `${withHotline.name} (${withHotline.hotline})`;
  return turn.env.hotlineFallback ?? null;
}

export function isPending(turn: Turn): boolean {
  return turn.state.step !== "idle";
}
