// What the delivery engine needs from a channel: send rendered replies to one platform user
// and classify the result, so retries, blocks and window rules are decided in one place.
import type { Reply } from "../conversation/types.ts";

export type SendFailureKind =
  /** The user blocked the bot / cannot receive: mark the account, stop sending. */
  | "blocked"
  /** Zalo: outside the reply window (or night hours): fall back to ZNS or record undeliverable. */
  | "window_closed"
  /** 429 / quota: retry after `retryAfterMs`. */
  | "rate_limited"
  /** Network errors, 5xx, Zalo -32/-100: retry with backoff. */
  | "temporary"
  /** Anything else the platform refused: no retry. */
  | "permanent";

export type SendOutcome =
  | { ok: true; platformMessageId?: string }
  | { ok: false; kind: SendFailureKind; code?: string; message: string; retryAfterMs?: number };

export interface ChannelSender {
  channel: "telegram" | "zalo" | "web";
  send(platformUserId: string, replies: Reply[]): Promise<SendOutcome>;
}

/**
 * Optional extra a sender may offer: how many platform API calls `replies` cost (a long text
 * splits into several Telegram messages). The engine paces by calls; without it each reply
 * counts as one.
 */
export interface CallCounter {
  callsFor(replies: Reply[]): number;
}

/**
 * ZNS (Zalo Notification Service): a pre-approved template message to a phone number, the
 * fallback when the Zalo reply window is closed.
 */
export interface ZnsSender {
  /** `phone` in international form (84xxxxxxxxx); `trackingId` echoes in delivery receipts. */
  sendTemplate(phone: string, templateId: string, data: Record<string, string>, trackingId: string): Promise<SendOutcome>;
}

/** ZNS fallback data carried by a queued message (template id defaults to the configured one). */
export interface ZnsFallback {
  phone: string;
  templateId?: string;
  data: Record<string, string>;
}
