// A greeting (or /start without a code): a newcomer is told how to link; a citizen who has
// linked dossiers is greeted as one and not asked to link again.
import { t } from "../../i18n/index.ts";
import { say, withMenu, type Handler, type Turn } from "../turn.ts";
import type { Reply } from "../types.ts";

export async function welcome(turn: Turn): Promise<Reply[]> {
  const citizenId = turn.account.citizenId;
  const linked = citizenId === null ? [] : await turn.store.linkedDossiers(citizenId);
  if (linked.length > 0) return [withMenu(turn, "greeting-linked", { count: linked.length })];
  const reply = withMenu(turn, "welcome");
  // Until the citizen has chosen or written in a language, say how to get the other one.
  if (!turn.account.languageChosen && turn.understanding.lang === null && reply.kind === "text") reply.text += `\n${t(turn.lang, "welcome-english")}`;
  return [reply];
}

export const greeting: Handler = async (turn, next) => {
  if (turn.understanding.intent.kind !== "greeting") return next();
  return welcome(turn);
};

/** "thanks", "bye", and a yes/no/cancel with no question pending: a short polite answer. */
export const thanks: Handler = async (turn, next) => {
  switch (turn.understanding.intent.kind) {
    case "thanks":
      return [say(turn, "thanks-reply")];
    case "yes":
    case "no":
      return [withMenu(turn, "ack-reply")];
    case "cancel":
      return [withMenu(turn, "menu-prompt")];
    default:
      return next();
  }
};
