// "Stop following this dossier": choose which one, or unlink the one named.
import { encodeButton } from "../buttons.ts";
import { dossierLabel } from "../citizen-view.ts";
import { say, withMenu, type Handler, type Turn } from "../turn.ts";
import type { Reply } from "../types.ts";

async function unlinkOne(turn: Turn, dossierId: number): Promise<Reply> {
  const citizenId = turn.account.citizenId;
  const code = citizenId === null ? null : await turn.store.unlink(citizenId, dossierId, turn.channel);
  return code ? withMenu(turn, "unlink-done", { code }) : withMenu(turn, "dossier-not-available");
}

export const unlink: Handler = async (turn, next) => {
  const intent = turn.understanding.intent;
  if (intent.kind !== "unlink") return next();
  if (intent.dossierId !== undefined) return [await unlinkOne(turn, intent.dossierId)];
  const citizenId = turn.account.citizenId;
  const linked = citizenId === null ? [] : await turn.store.linkedDossiers(citizenId);
  const [code] = intent.codes;
  if (code) {
    const d = linked.find((x) => x.code === code);
    return [d ? await unlinkOne(turn, d.id) : withMenu(turn, "unlink-not-linked", { code })];
  }
  if (linked.length === 0) return [withMenu(turn, "unlink-none")];
  const buttons = linked.map((d) => [{ label: dossierLabel({ code: d.code, procedure: { name: d.procedureName } }), data: encodeButton({ kind: "unlink", dossierId: d.id }) }]);
  return [say(turn, "unlink-choose", {}, buttons)];
};
