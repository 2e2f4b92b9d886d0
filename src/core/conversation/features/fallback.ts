// The last handler: nothing understood. Say what the bot can do, offer the menu and how to
// reach staff — never silence. The message is kept (masked) for the learning loop.
import { t } from "../../i18n/index.ts";
import { menuButtons, oneContact, type Handler, type Turn } from "../turn.ts";
import type { Reply } from "../types.ts";
import { remember } from "./learning.ts";

export async function notUnderstood(turn: Turn): Promise<Reply> {
  const contact = await oneContact(turn);
  const lines = [t(turn.lang, "not-understood")];
  if (contact) lines.push(t(turn.lang, "not-understood-contact", { hotline: contact }));
  return { kind: "text", text: lines.join("\n"), buttons: menuButtons(turn) };
}

export const fallback: Handler = async (turn) => {
  await remember(turn, "fallback");
  return [await notUnderstood(turn)];
};
