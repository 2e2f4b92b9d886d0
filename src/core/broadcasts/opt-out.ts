// Announcement opt-out as a conversation interceptor: "dừng" / "stop" / "hủy nhận tin" or
// the button under every announcement stops general announcements; notices about the
// citizen's own dossiers continue (they are what the citizen linked the dossier for).
// "tiếp tục nhận tin" / "start announcements" or the resume button turns them back on.
import type { ConversationInterceptor } from "../conversation/interceptor.ts";
import { foldText } from "../conversation/intents.ts";
import { parseState } from "../conversation/state.ts";
import { nt } from "../notices/i18n/index.ts";
import { OPT_IN_BUTTON_DATA, OPT_OUT_BUTTON_DATA } from "./service.ts";

// Folded forms (no diacritics, lower case). The short words double as "cancel" inside the
// chat's own questions, so they only opt out when no question is pending.
const STOP_ALWAYS = new Set(["huy nhan tin", "dung nhan tin", "dung nhan thong bao", "stop announcements"]);
const STOP_WHEN_IDLE = new Set(["dung", "stop"]);
const START = new Set(["tiep tuc nhan tin", "tiep tuc nhan thong bao", "start announcements"]);

export const optOutInterceptor: ConversationInterceptor = async ({ prisma, accountId, language, input, now }) => {
  let action: "stop" | "start" | null = null;
  if (input.kind === "button") action = input.data === OPT_OUT_BUTTON_DATA ? "stop" : input.data === OPT_IN_BUTTON_DATA ? "start" : null;
  else if (input.kind === "text") {
    const folded = foldText(input.text);
    if (STOP_ALWAYS.has(folded)) action = "stop";
    else if (START.has(folded)) action = "start";
    else if (STOP_WHEN_IDLE.has(folded)) {
      const conv = await prisma.conversation.findUnique({ where: { accountId }, select: { state: true } });
      if (parseState(conv?.state, now).step === "idle") action = "stop";
    }
  }
  if (!action) return null;
  if (action === "stop") {
    // Keep the first opt-out instant when the citizen says it twice.
    await prisma.channelAccount.updateMany({ where: { id: accountId, optedOutAt: null }, data: { optedOutAt: now } });
    return [{ kind: "text", text: nt(language, "optout-done"), buttons: [[{ label: nt(language, "optout-resume-button"), data: OPT_IN_BUTTON_DATA }]] }];
  }
  await prisma.channelAccount.update({ where: { id: accountId }, data: { optedOutAt: null } });
  return [{ kind: "text", text: nt(language, "optin-done"), buttons: [[{ label: nt(language, "optin-stop-button"), data: OPT_OUT_BUTTON_DATA }]] }];
};
