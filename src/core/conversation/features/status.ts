// "Where is my dossier?": the status card of a linked dossier — one card, a choice when
// several are linked, or how to link when none is.
import { DossierStatus } from "../../status.ts";
import { t } from "../../i18n/index.ts";
import { rateButton } from "../../survey/render.ts";
import { encodeButton } from "../buttons.ts";
import { dossierLabel, renderStatusCard } from "../citizen-view.ts";
import { say, withMenu, type Handler, type Turn } from "../turn.ts";
import type { CitizenDossier } from "../citizen-view.ts";
import type { Reply } from "../types.ts";
import { startLink } from "./linking.ts";

/** Cards shown at once when one message carries several linked codes. */
const MAX_CARDS = 3;

/** The status card of a dossier linked to the citizen (audited), or null when there is no such link. */
export async function card(turn: Turn, dossierId: number): Promise<Reply | null> {
  const citizenId = turn.account.citizenId;
  if (citizenId === null) return null;
  const d = await turn.store.citizenDossier(citizenId, dossierId);
  return d ? cardOf(turn, citizenId, d) : null;
}

/** The card of a dossier already read for this citizen; the view is audited. */
async function cardOf(turn: Turn, citizenId: number, d: CitizenDossier): Promise<Reply> {
  const cal = await turn.env.calendar();
  await turn.store.recordCardView(citizenId, d.code, turn.channel);
  // Whom to ask when late: the dossier's own unit, else the general hotline.
  const contact = d.unit.hotline ? `${d.unit.name} (${d.unit.hotline})` : (turn.env.hotlineFallback ?? null);
  const dossierId = d.id;
  return {
    kind: "text",
    text: renderStatusCard(turn.lang, d, cal, turn.now, contact),
    buttons: [
      // A returned dossier can be rated from its card (the survey takes the press).
      ...(d.status === DossierStatus.RETURNED ? [[rateButton(dossierId, turn.lang)]] : []),
      [
        { label: t(turn.lang, "menu-help"), data: encodeButton({ kind: "menu", item: "help" }) },
        { label: t(turn.lang, "menu-main"), data: encodeButton({ kind: "menu", item: "menu" }) },
      ],
    ],
  };
}

/** Codes in a message: linked ones show their cards, the first other one starts linking. */
export async function showCodes(turn: Turn, codes: string[]): Promise<Reply[]> {
  const citizenId = turn.account.citizenId;
  const linked = citizenId === null ? [] : await turn.store.linkedCards(citizenId);
  const unlinked = codes.find((c) => !linked.some((d) => d.code === c));
  if (unlinked !== undefined || citizenId === null) return startLink(turn, unlinked ?? codes[0]!);
  const replies: Reply[] = [];
  for (const code of codes.slice(0, MAX_CARDS)) {
    const d = linked.find((x) => x.code === code);
    if (d) replies.push(await cardOf(turn, citizenId, d));
  }
  return replies;
}

/** Every linked dossier: one card, or a choice between them. */
export async function showLinked(turn: Turn): Promise<Reply[]> {
  const citizenId = turn.account.citizenId;
  const dossiers = citizenId === null ? [] : (turn.account.linkedCards ?? (await turn.store.linkedCards(citizenId)));
  const [only] = dossiers;
  if (!only || citizenId === null) return [withMenu(turn, "status-none")];
  if (dossiers.length === 1) return [await cardOf(turn, citizenId, only)];
  const buttons = dossiers.map((d) => [{ label: dossierLabel(d), data: encodeButton({ kind: "status", dossierId: d.id }) }]);
  return [say(turn, "status-choose", { count: dossiers.length }, buttons)];
}

export const status: Handler = async (turn, next) => {
  const intent = turn.understanding.intent;
  if (intent.kind === "codes") return showCodes(turn, intent.codes);
  if (intent.kind !== "status") return next();
  if (intent.dossierId !== undefined) {
    // Button data names a dossier id: it counts only if the citizen has linked that dossier.
    return [(await card(turn, intent.dossierId)) ?? withMenu(turn, "dossier-not-available")];
  }
  if (intent.codes.length > 0) return showCodes(turn, intent.codes);
  return showLinked(turn);
};
