// Questions the bot cannot answer (fees, documents, filing, collecting for someone else,
// complaints, other people's dossiers, chit-chat): said politely, with where to ask — the
// unit's hotline and the national public service portal — and never a status card.
import { t } from "../../i18n/index.ts";
import { encodeButton } from "../buttons.ts";
import { contactLines, type Handler, type Turn } from "../turn.ts";
import type { Reply } from "../types.ts";

export async function outOfScopeReply(turn: Turn): Promise<Reply> {
  const lang = turn.lang;
  const lines = [t(lang, "out-of-scope"), ...(await contactLines(turn)), t(lang, "out-of-scope-portal", { portal: turn.env.portalUrl })];
  if (turn.account.citizenId !== null) lines.push("", t(lang, "out-of-scope-status"));
  return {
    kind: "text",
    text: lines.join("\n"),
    buttons: [
      [
        { label: t(lang, "menu-status"), data: encodeButton({ kind: "menu", item: "status" }) },
        { label: t(lang, "menu-help"), data: encodeButton({ kind: "menu", item: "help" }) },
      ],
    ],
  };
}

export const outOfScope: Handler = async (turn, next) => {
  if (turn.understanding.intent.kind !== "out_of_scope") return next();
  return [await outOfScopeReply(turn)];
};
