// "Delete my data" (Decree 13/2023: the right to withdraw consent and have data deleted):
// asks once, then removes what the chat holds about the person and reports exactly what went.
import { formatLocal } from "../../calendar.ts";
import { maskPhone } from "../../identity.ts";
import { t } from "../../i18n/index.ts";
import { encodeButton } from "../buttons.ts";
import { IDLE } from "../state.ts";
import { menuButtons, say, withMenu, type Handler, type Turn } from "../turn.ts";
import type { Reply } from "../types.ts";

export async function askDelete(turn: Turn): Promise<Reply[]> {
  const citizenId = turn.account.citizenId;
  const count = citizenId === null ? 0 : (await turn.store.linkedDossiers(citizenId)).length;
  turn.state = { step: "confirm_delete", since: turn.now.toISOString() };
  return [
    say(turn, "delete-confirm", { count }, [
      [
        { label: t(turn.lang, "delete-yes"), data: encodeButton({ kind: "delete", confirm: true }) },
        { label: t(turn.lang, "delete-no"), data: encodeButton({ kind: "delete", confirm: false }) },
      ],
    ]),
  ];
}

export async function answerDelete(turn: Turn, confirm: boolean): Promise<Reply[]> {
  turn.state = IDLE;
  if (!confirm) return [withMenu(turn, "delete-cancelled")];
  const r = await turn.store.erase(turn.account.id, turn.now);
  turn.erased = true;
  turn.account.citizenId = null;
  turn.account.consentAt = null;
  turn.account.citizenChannels.splice(0, turn.account.citizenChannels.length, turn.channel);
  const lang = turn.lang;
  const lines = [t(lang, "delete-done")];
  lines.push(r.unlinkedCodes.length ? t(lang, "delete-links", { codes: r.unlinkedCodes.join(", ") }) : t(lang, "delete-links-none"));
  if (r.conversationDeleted) lines.push(t(lang, "delete-conversation"));
  if (r.attemptsDeleted > 0) lines.push(t(lang, "delete-attempts", { count: r.attemptsDeleted }));
  if (r.messagesDeleted > 0) lines.push(t(lang, "delete-messages", { count: r.messagesDeleted }));
  if (r.citizenDeleted) lines.push(r.citizenPhone ? t(lang, "delete-citizen-phone", { phone: maskPhone(r.citizenPhone) }) : t(lang, "delete-citizen"));
  if (r.citizenKeptForOtherAccounts) lines.push(t(lang, "delete-citizen-kept"));
  if (r.consentWithdrawn) lines.push(t(lang, "delete-consent"));
  if (r.failedAttemptsKept > 0) lines.push("", t(lang, "delete-kept-attempts", { count: r.failedAttemptsKept, until: formatLocal(r.attemptsKeptUntil) }));
  return [{ kind: "text", text: lines.join("\n"), buttons: menuButtons(turn) }];
}

export const erase: Handler = async (turn, next) => {
  if (turn.understanding.intent.kind !== "delete") return next();
  return askDelete(turn);
};
