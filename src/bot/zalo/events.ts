// Zalo OA webhook events: the zod schema (ids as strings), which events this service acts
// on, whose event it is, its inbox key, and the conversation input it carries.
import { z } from "zod";
import { isButtonData } from "../../core/conversation/buttons.ts";
import { commandFromName, type Inbound } from "../../core/conversation/types.ts";
import { normalizePhone } from "../../core/identity.ts";
import { zaloId } from "./client.ts";

const text = z.union([z.string(), z.number()]).transform(String);

export const zaloEventSchema = z.looseObject({
  event_name: z.string().min(1).max(64),
  app_id: zaloId.optional(),
  /** Milliseconds since the epoch; Zalo sends a string. */
  timestamp: z.union([z.string().regex(/^\d{1,16}$/), z.number().int().nonnegative()]).transform(String),
  user_id_by_app: zaloId.optional(),
  sender: z.looseObject({ id: zaloId }).optional(),
  recipient: z.looseObject({ id: zaloId }).optional(),
  /** follow / unfollow. */
  follower: z.looseObject({ id: zaloId }).optional(),
  message: z
    .looseObject({
      msg_id: zaloId.optional(),
      text: z.string().max(10_000).optional(),
      /** user_received_message: the ids of the delivered messages and the ZNS tracking id. */
      msg_ids: z.array(zaloId).optional(),
      tracking_id: text.optional(),
      /** user_send_image: the picture, hosted by Zalo (shape as documented for OA webhooks [U]). */
      attachments: z
        .array(
          z.looseObject({
            type: z.string().max(32).optional(),
            payload: z.looseObject({ url: z.string().max(4096).optional(), thumbnail: z.string().max(4096).optional() }).optional(),
          }),
        )
        .max(20)
        .optional(),
    })
    .optional(),
  /** user_submit_info (shape [U]): what the user agreed to share. */
  info: z.looseObject({ phone: text.optional(), name: z.string().optional() }).optional(),
});

export type ZaloEvent = z.infer<typeof zaloEventSchema>;

/** user_send_* events other than text and image (sticker, file, location, …): answered with the menu. */
const OTHER_USER_MESSAGES = /^user_send_[a-z_]+$/;

export type EventKind = "text" | "image" | "other_message" | "submit_info" | "follow" | "unfollow" | "received";

/** The events this service acts on; everything else (oa_* echoes, seen receipts, …) is ignored. */
export function eventKind(e: ZaloEvent): EventKind | null {
  switch (e.event_name) {
    case "user_send_text":
      return "text";
    case "user_send_image":
      return "image";
    case "user_submit_info":
      return "submit_info";
    case "follow":
      return "follow";
    case "unfollow":
      return "unfollow";
    case "user_received_message":
      return "received";
    default:
      return OTHER_USER_MESSAGES.test(e.event_name) ? "other_message" : null;
  }
}

/** The Zalo user the event is about. */
export function userOf(e: ZaloEvent): string | undefined {
  if (e.event_name === "follow" || e.event_name === "unfollow") return e.follower?.id ?? e.sender?.id;
  // Receipts (and oa_* echoes) go from the OA to the user.
  if (e.event_name === "user_received_message" || e.event_name.startsWith("oa_")) return e.recipient?.id;
  return e.sender?.id;
}

/** Inbox key: Zalo's msg_id when the event has one, else what makes the event unique. */
export function externalIdOf(e: ZaloEvent): string {
  if (e.message?.msg_id) return e.message.msg_id;
  return `${e.event_name}:${e.timestamp}:${userOf(e) ?? "-"}`;
}

/** When the event happened; now when the timestamp is unusable or in the future. */
export function eventTime(e: ZaloEvent, now = new Date()): Date {
  const ms = Number(e.timestamp);
  return Number.isFinite(ms) && ms > 0 && ms <= now.getTime() ? new Date(ms) : now;
}


/**
 * A user_send_text → conversation input. A query button's payload comes back as the text
 * of the message, so text that is one of our button encodings is a button press (a typed
 * copy is equally harmless: button data is never trusted beyond the citizen's own links).
 */
export function inboundFromText(raw: string): Inbound {
  const text = raw.trim();
  if (isButtonData(text)) return { kind: "button", data: text };
  const m = /^\/([a-z]+)(?:\s+([\s\S]*))?$/i.exec(text);
  const command = m ? commandFromName(m[1]!) : undefined;
  if (command) return { kind: "command", command, args: (m![2] ?? "").trim() };
  return { kind: "text", text: raw };
}

/** The picture of a user_send_image event: its full-size URL (the thumbnail when that is all there is). */
export function imageUrlOf(e: ZaloEvent): string | null {
  for (const a of e.message?.attachments ?? []) {
    if (a.type !== undefined && a.type !== "image") continue;
    const url = a.payload?.url ?? a.payload?.thumbnail;
    if (url) return url;
  }
  return null;
}

/** user_submit_info → a shared own phone (Zalo sends the user's own verified number [U]). */
export function inboundFromSubmitInfo(e: ZaloEvent): Inbound | null {
  const phone = e.info?.phone?.trim();
  if (!phone) return null;
  return { kind: "contact", phone: normalizePhone(phone) ?? phone, own: true };
}
