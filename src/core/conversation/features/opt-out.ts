// Announcements: "dừng" / "stop" / the button under every announcement stops general
// announcements; notices about the citizen's own dossiers continue (they are what the
// citizen linked the dossier for). "Nhận lại thông báo" or the resume button turns them on.
import { nt } from "../../notices/i18n/index.ts";
import { OPT_IN_BUTTON_DATA, OPT_OUT_BUTTON_DATA } from "../buttons.ts";
import type { Handler } from "../turn.ts";

export const optOut: Handler = async (turn, next) => {
  const kind = turn.understanding.intent.kind;
  if ((kind !== "stop" && kind !== "resume") || turn.understanding.band !== "act") return next();
  const lang = turn.lang;
  if (kind === "stop") {
    await turn.store.setOptedOut(turn.account.id, turn.now);
    return [{ kind: "text", text: nt(lang, "optout-done"), buttons: [[{ label: nt(lang, "optout-resume-button"), data: OPT_IN_BUTTON_DATA }]] }];
  }
  await turn.store.setOptedOut(turn.account.id, null);
  return [{ kind: "text", text: nt(lang, "optin-done"), buttons: [[{ label: nt(lang, "optin-stop-button"), data: OPT_OUT_BUTTON_DATA }]] }];
};
