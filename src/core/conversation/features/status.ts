// "Where is my dossier?": the status card of a linked dossier — one card, a choice when
// several are linked, or how to link when none is.
import { DossierStatus } from "../../status.ts";
import { t } from "../../i18n/index.ts";
import { rateButton } from "../../survey/render.ts";
import { encodeButton } from "../buttons.ts";
import { dossierLabel, renderStatusCard } from "../citizen-view.ts";
import { oneContact, say, withMenu, type Handler, type Turn } from "../turn.ts";
import type { Reply } from "../types.ts";
import { startLink } from "./linking.ts";

/** Cards shown at once when one message carries several linked codes. */
const MAX_CARDS = 3;

/** The status card of a dossier linked to the citizen (audited), or null when there is no such link. */
export async function card(turn: Turn, dossierId: number): Promise<Reply | null> {
  const citizenId = turn.account.citizenId;
  if (citizenId === null) return null;
  const d = await turn.store.citizenDossier(citizenId, dossierId);
  if (!d) return null;
  const cal = await turn.env.calendar();
  await turn.store.recordCardView(citizenId, d.code, turn.channel);
  const contact = await oneContact(turn);
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
  const linked = citizenId === null ? [] : await turn.store.linkedDossiers(citizenId);
  const unlinked = codes.find((c) => !linked.some((d) => d.code === c));
  if (unlinked !== undefined) return startLink(turn, unlinked);
  const replies: Reply[] = [];
  for (const code of codes.slice(0, MAX_CARDS)) {
    const d = linked.find((x) => x.code === code);
    const c = d ? await card(turn, d.id) : null;
    if (c) replies.push(c);
  }
  return replies;
}

/** Every linked dossier: one card, or a choice between them. */
export async function showLinked(turn: Turn): Promise<Reply[]> {
  const citizenId = turn.account.citizenId;
  const dossiers = citizenId === null ? [] : await turn.store.linkedDossiers(citizenId);
  const [only] = dossiers;
  if (!only) return [withMenu(turn, "status-none")];
  if (dossiers.length === 1) {
    const c = await card(turn, only.id);
    return [c ?? withMenu(turn, "status-none")];
  }
  const buttons = dossiers.map((d) => [{ label: dossierLabel({ code: d.code, procedure: { name: d.procedureName } }), data: encodeButton({ kind: "status", dossierId: d.id }) }]);
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
