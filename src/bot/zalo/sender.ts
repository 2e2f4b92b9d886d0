// ChannelSender for Zalo: renders replies, sends them in order through the client and turns
// Zalo's refusals into the delivery engine's outcome kinds (the token refresh on -216 and
// the retries of -32/-100/5xx already happened inside the client).
import type { Reply } from "../../core/conversation/types.ts";
import type { ChannelSender, SendOutcome } from "../../core/delivery/types.ts";
import type { Logger } from "../../logger.ts";
import { ZaloApiError, type ZaloClient } from "./client.ts";
import { renderReplies, type ZaloRenderOptions } from "./render.ts";

/**
 * Codes meaning this user cannot receive from the OA at all (not a window rule): ZNS -114
 * "user cannot receive" [U]. Extend when Zalo's answers in production show more.
 */
export const BLOCKED_CODES: ReadonlySet<number> = new Set([-114]);
/** Zalo gives no retry-after for -32; wait this long before the next attempt. */
export const RATE_LIMIT_RETRY_MS = 60_000;

export class ZaloSender implements ChannelSender {
  readonly channel = "zalo" as const;

  constructor(
    private readonly client: ZaloClient,
    private readonly opts: ZaloRenderOptions & { logger?: Logger } = {},
  ) {}

  async send(platformUserId: string, replies: Reply[]): Promise<SendOutcome> {
    const messages = renderReplies(replies, this.opts);
    let lastId: string | undefined;
    for (const [i, m] of messages.entries()) {
      try {
        const sent =
          m.kind === "text"
            ? await this.client.sendText(platformUserId, m.text, m.buttons)
            : await this.client.sendRequestUserInfo(platformUserId, m.title, m.subtitle, m.imageUrl);
        lastId = sent.messageId;
      } catch (err) {
        const outcome = outcomeOf(err);
        this.opts.logger?.warn({ kind: outcome.kind, code: outcome.code, sent: i, of: messages.length }, "Zalo send failed");
        return i > 0 ? { ...outcome, message: `${outcome.message} (after ${i} of ${messages.length} messages)` } : outcome;
      }
    }
    return lastId === undefined ? { ok: true } : { ok: true, platformMessageId: lastId };
  }
}

/** A failed Zalo call → SendOutcome failure. */
export function outcomeOf(err: unknown): Extract<SendOutcome, { ok: false }> {
  if (!(err instanceof ZaloApiError)) return { ok: false, kind: "permanent", message: err instanceof Error ? err.message : String(err) };
  const base = { code: String(err.code), message: err.message };
  if (BLOCKED_CODES.has(err.code)) return { ok: false, kind: "blocked", ...base };
  switch (err.kind) {
    case "window":
      return { ok: false, kind: "window_closed", ...base };
    case "rate_limited":
      return { ok: false, kind: "rate_limited", retryAfterMs: RATE_LIMIT_RETRY_MS, ...base };
    case "temporary":
    case "transport":
    // The token was refreshed and still refused: an operator has to look (see /readyz); retry later.
    // falls through
    case "invalid_token":
      return { ok: false, kind: "temporary", ...base };
    case "refused":
      return { ok: false, kind: "permanent", ...base };
  }
}
