// Telegram as a delivery channel: the engine hands over rendered replies for one chat and
// gets back a classified outcome. No auto-retry here: the engine owns retries and pacing,
// and a transformer that sleeps through a 429 would hide it from the pacer.
import { Api, GrammyError, HttpError } from "grammy";
import type { Reply } from "../../core/conversation/types.ts";
import type { CallCounter, ChannelSender, SendOutcome } from "../../core/delivery/types.ts";
import type { Logger } from "../../logger.ts";
import { MAX_TEXT_LENGTH, renderReplies } from "./render.ts";

export interface TelegramSenderOptions {
  token: string;
  /** Bot API server (TELEGRAM_API_ROOT). */
  apiRoot?: string;
  /** Per request; stays well below the engine's claim lock (60 s) so a hung call cannot outlive it. */
  timeoutSeconds?: number;
  logger?: Logger;
}

export class TelegramSender implements ChannelSender, CallCounter {
  readonly channel = "telegram" as const;
  readonly api: Api;
  private readonly logger: Logger | undefined;

  constructor(opts: TelegramSenderOptions) {
    this.api = new Api(opts.token, { ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}), timeoutSeconds: opts.timeoutSeconds ?? 20 });
    this.logger = opts.logger;
  }

  callsFor(replies: Reply[]): number {
    // The common case without rendering: one message per short reply.
    if (replies.every((r) => r.text.length > 0 && r.text.length <= MAX_TEXT_LENGTH)) return replies.length;
    return renderReplies(replies).length;
  }

  /**
   * Sends the rendered messages in order. A failure after some parts went out is reported
   * as the failure: a retry repeats the earlier parts (notices and announcements are one
   * message, so this only matters for long texts).
   */
  async send(platformUserId: string, replies: Reply[]): Promise<SendOutcome> {
    const messages = renderReplies(replies, this.logger ? { logger: this.logger } : {});
    let lastId: string | undefined;
    for (const m of messages) {
      try {
        const sent = await this.api.sendMessage(platformUserId, m.text, m.reply_markup ? { reply_markup: m.reply_markup } : {});
        lastId = String(sent.message_id);
      } catch (err) {
        return classifyTelegramError(err);
      }
    }
    return lastId === undefined ? { ok: true } : { ok: true, platformMessageId: lastId };
  }
}

/** 429 → rate_limited (retry_after), 403 → blocked, 5xx / network → temporary, other 4xx → permanent. */
export function classifyTelegramError(err: unknown): SendOutcome & { ok: false } {
  if (err instanceof GrammyError) {
    const code = String(err.error_code);
    const message = err.description;
    if (err.error_code === 429) {
      const retryAfter = err.parameters.retry_after;
      return { ok: false, kind: "rate_limited", code, message, retryAfterMs: (typeof retryAfter === "number" ? retryAfter : 1) * 1000 };
    }
    // "bot was blocked by the user", "user is deactivated", "bot can't initiate conversation".
    if (err.error_code === 403) return { ok: false, kind: "blocked", code, message };
    if (err.error_code >= 500) return { ok: false, kind: "temporary", code, message };
    return { ok: false, kind: "permanent", code, message };
  }
  if (err instanceof HttpError) return { ok: false, kind: "temporary", code: "network", message: err.message };
  return { ok: false, kind: "temporary", message: err instanceof Error ? err.message : String(err) };
}
