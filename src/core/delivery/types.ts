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
  channel: "telegram" | "zalo";
  send(platformUserId: string, replies: Reply[]): Promise<SendOutcome>;
}
