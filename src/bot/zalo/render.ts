// Channel-neutral replies → Zalo OA messages. Buttons become query buttons (at most 5 per
// message, so a longer menu continues in further messages, rows kept together where they
// fit); a phone request becomes the request_user_info template; texts longer than Zalo's
// 2000 characters are split at line breaks.
import { splitText as splitLongText } from "../text.ts";
import type { Button, Reply } from "../../core/conversation/types.ts";
import { MAX_BUTTON_PAYLOAD, MAX_BUTTON_TITLE, MAX_BUTTONS, MAX_TEXT_LENGTH, type QueryButton } from "./client.ts";

/** request_user_info subtitle limit [U]. */
export const MAX_SUBTITLE_LENGTH = 500;

export type ZaloOutgoing =
  | { kind: "text"; text: string; buttons: QueryButton[] }
  | { kind: "request_user_info"; title: string; subtitle: string; imageUrl?: string };

export interface ZaloRenderOptions {
  /**
   * oa.query.hide (default) sends the payload silently; oa.query.show would print the
   * payload (e.g. "c:y") in the chat as the citizen's own message. Either way it comes back
   * as a user_send_text event.
   */
  queryButtonType?: "oa.query.show" | "oa.query.hide";
  /** Text of a message that only carries the buttons that did not fit the previous one. */
  moreButtonsText?: string;
  /** Image of the request_user_info card (Zalo may require one [U]). */
  requestInfoImageUrl?: string;
}

export function renderReplies(replies: Reply[], opts: ZaloRenderOptions = {}): ZaloOutgoing[] {
  const out: ZaloOutgoing[] = [];
  for (const reply of replies) {
    if (reply.kind === "request_phone") {
      // The card shows the label as its title and the explanation as its subtitle; an
      // explanation too long for the card goes before it as ordinary text.
      const text = reply.text.trim();
      if (text.length > MAX_SUBTITLE_LENGTH) for (const chunk of splitText(text)) out.push({ kind: "text", text: chunk, buttons: [] });
      out.push({
        kind: "request_user_info",
        title: truncate(reply.buttonLabel, MAX_BUTTON_TITLE),
        subtitle: truncate(text || reply.buttonLabel, MAX_SUBTITLE_LENGTH),
        ...(opts.requestInfoImageUrl ? { imageUrl: opts.requestInfoImageUrl } : {}),
      });
      continue;
    }
    const chunks = splitText(reply.text);
    const groups = groupButtons(reply.buttons ?? [], opts);
    chunks.forEach((text, i) => {
      const last = i === chunks.length - 1;
      out.push({ kind: "text", text, buttons: last ? (groups[0] ?? []) : [] });
    });
    for (const group of groups.slice(1)) out.push({ kind: "text", text: opts.moreButtonsText ?? "…", buttons: group });
  }
  return out;
}

/** Rows packed into messages of at most 5 buttons; a row only breaks when it alone exceeds 5. */
function groupButtons(rows: Button[][], opts: ZaloRenderOptions): QueryButton[][] {
  const type = opts.queryButtonType ?? "oa.query.hide";
  const groups: QueryButton[][] = [];
  let current: QueryButton[] = [];
  for (const row of rows) {
    const buttons = row
      .filter((b) => b.data.length > 0 && b.data.length <= MAX_BUTTON_PAYLOAD && b.label.trim().length > 0)
      .map((b) => ({ title: truncate(b.label, MAX_BUTTON_TITLE), payload: b.data, type }));
    if (current.length + buttons.length > MAX_BUTTONS && current.length) {
      groups.push(current);
      current = [];
    }
    for (const b of buttons) {
      if (current.length === MAX_BUTTONS) {
        groups.push(current);
        current = [];
      }
      current.push(b);
    }
  }
  if (current.length) groups.push(current);
  return groups;
}

/** No message exceeds Zalo's 2000 characters. */
export function splitText(text: string, max = MAX_TEXT_LENGTH): string[] {
  return splitLongText(text, max);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}
