// Switching language. The citizen's explicit choice is kept for the chat, the notices and
// the survey; in the middle of a flow the pending question is asked again in the new language.
import { t } from "../../i18n/index.ts";
import type { Lang } from "../../kernel/lang.ts";
import { encodeButton } from "../buttons.ts";
import { say, withMenu, type Handler, type Turn } from "../turn.ts";
import type { Reply } from "../types.ts";
import { reprompt } from "./pending.ts";

function languageChoice(turn: Turn): Reply {
  return say(turn, "language-choose", {}, [
    [
      { label: t(turn.lang, "language-name-vi"), data: encodeButton({ kind: "language", lang: "vi" }) },
      { label: t(turn.lang, "language-name-en"), data: encodeButton({ kind: "language", lang: "en" }) },
    ],
  ]);
}

export async function setLanguage(turn: Turn, lang: Lang): Promise<Reply[]> {
  await turn.store.setLanguage(turn.account, lang, true);
  turn.account.language = lang;
  turn.account.languageChosen = true;
  turn.lang = lang;
  const replies = [withMenu(turn, "language-set")];
  if (turn.state.step !== "idle") replies.push(...(await reprompt(turn)));
  return replies;
}

export const language: Handler = async (turn, next) => {
  const intent = turn.understanding.intent;
  if (intent.kind !== "language") return next();
  return intent.lang ? setLanguage(turn, intent.lang) : [languageChoice(turn)];
};
