// Help and the unit's details: what the bot can do, how to reach staff (hotline), working
// hours and address — for the units of the citizen's linked dossiers, or in general.
import { t } from "../../i18n/index.ts";
import { openingHours } from "../citizen-view.ts";
import { menuButtons, say, withMenu, type Handler, type Turn } from "../turn.ts";
import type { Reply } from "../types.ts";

/** Contact block: each unit's hotline, address and hours, or the fallback hotline. */
export async function contactBlock(turn: Turn): Promise<string[]> {
  const lang = turn.lang;
  const units = await turn.store.unitContacts(turn.account.citizenId);
  const fallback = turn.env.hotlineFallback;
  if (units.length === 0) return [fallback ? t(lang, "help-fallback", { hotline: fallback }) : t(lang, "help-generic")];
  const cal = await turn.env.calendar();
  return units.map((u) => {
    const lines = [t(lang, "help-unit", { unit: u.name })];
    if (u.hotline) lines.push(t(lang, "help-hotline", { hotline: u.hotline }));
    else if (fallback) lines.push(t(lang, "help-fallback", { hotline: fallback }));
    if (u.address) lines.push(t(lang, "result-address", { address: u.address }));
    lines.push(t(lang, "result-hours", { hours: openingHours(lang, u, cal) }));
    return lines.join("\n");
  });
}

async function staff(turn: Turn): Promise<Reply> {
  const text = [t(turn.lang, "help-intro"), ...(await contactBlock(turn)), t(turn.lang, "help-usage")].join("\n\n");
  return { kind: "text", text, buttons: menuButtons(turn) };
}

async function hours(turn: Turn): Promise<Reply> {
  const lang = turn.lang;
  const units = await turn.store.unitContacts(turn.account.citizenId);
  const cal = await turn.env.calendar();
  const lines =
    units.length > 0
      ? [t(lang, "hours-intro"), ...units.map((u) => t(lang, "hours-unit", { unit: u.name, hours: openingHours(lang, u, cal) }))]
      : [t(lang, "hours-generic", { hours: openingHours(lang, { openingHours: null }, cal) })];
  const fallback = turn.env.hotlineFallback;
  if (units.length === 0 && fallback) lines.push(t(lang, "help-fallback", { hotline: fallback }));
  return { kind: "text", text: lines.join("\n"), buttons: menuButtons(turn) };
}

async function address(turn: Turn): Promise<Reply> {
  const lang = turn.lang;
  const units = (await turn.store.unitContacts(turn.account.citizenId)).filter((u) => u.address);
  if (units.length === 0) return withMenu(turn, "address-generic");
  const cal = await turn.env.calendar();
  const lines = [t(lang, "address-intro")];
  for (const u of units) {
    lines.push(t(lang, "address-unit", { unit: u.name, address: u.address ?? "" }));
    lines.push(t(lang, "result-hours", { hours: openingHours(lang, u, cal) }));
  }
  return { kind: "text", text: lines.join("\n"), buttons: menuButtons(turn) };
}

export const help: Handler = async (turn, next) => {
  switch (turn.understanding.intent.kind) {
    case "menu":
      return [withMenu(turn, "menu-prompt")];
    case "help":
    case "staff":
      return [await staff(turn)];
    case "hours":
      return [await hours(turn)];
    case "address":
      return [await address(turn)];
    default:
      return next();
  }
};
