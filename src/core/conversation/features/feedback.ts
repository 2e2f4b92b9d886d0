// "I want to rate the service": the rate buttons of the citizen's returned dossiers (the
// survey takes the press), or when the survey comes; comments elsewhere go to the hotline.
import { rateButton } from "../../survey/render.ts";
import { DossierStatus } from "../../status.ts";
import { t } from "../../i18n/index.ts";
import { dossierLabel } from "../citizen-view.ts";
import { menuButtons, oneContact, type Handler } from "../turn.ts";

export const feedback: Handler = async (turn, next) => {
  if (turn.understanding.intent.kind !== "feedback") return next();
  const lang = turn.lang;
  const citizenId = turn.account.citizenId;
  const returned = citizenId === null ? [] : (await turn.store.linkedDossiers(citizenId)).filter((d) => d.status === DossierStatus.RETURNED);
  const contact = await oneContact(turn);
  if (returned.length > 0) {
    const rows = returned.map((d) => [{ ...rateButton(d.id, lang), label: `${rateButton(d.id, lang).label} · ${dossierLabel({ code: d.code, procedure: { name: d.procedureName } })}` }]);
    return [{ kind: "text", text: t(lang, "feedback-choose"), buttons: rows }];
  }
  const lines = [t(lang, "feedback-none")];
  if (contact) lines.push(t(lang, "feedback-contact", { contact }));
  return [{ kind: "text", text: lines.join("\n"), buttons: menuButtons(turn) }];
};
