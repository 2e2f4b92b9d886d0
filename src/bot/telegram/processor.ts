// The one path every Telegram update takes, whether it came by webhook, long polling or a
// replay from the inbox: accept into the durable inbox (a repeated update_id stops here),
// run the bot, mark processed — or record the failure for processPending to retry.
import type { Update } from "grammy/types";
import { BotError } from "grammy";
import * as inbox from "../../core/inbox.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Logger } from "../../logger.ts";
import type { TelegramBot } from "./bot.ts";

export type ReceiveOutcome = "processed" | "duplicate" | "failed";

export interface UpdateProcessor {
  /**
   * Accept and process one update. Throws only when the update could not be stored. `json`:
   * the update's JSON text as received, when it can be stored as it is (saves serialising it).
   */
  receive(update: Update, json?: string): Promise<ReceiveOutcome>;
  /** Re-run accepted-but-unprocessed updates (start-up and periodically). */
  replayPending(opts?: { olderThanMs?: number; limit?: number }): Promise<inbox.ProcessPendingResult>;
  /** Resolves when nothing is being processed (graceful shutdown). */
  idle(): Promise<void>;
}

import { createWorkTracker } from "../work-tracker.ts";

export const DEFAULT_REPLAY_AGE_MS = 60_000;

export function createUpdateProcessor(deps: { bot: TelegramBot; prisma: PrismaClient; logger: Logger }): UpdateProcessor {
  const { bot, prisma, logger } = deps;
  // Updates of one chat run one after another in this process.
  const { serialised, track, idle } = createWorkTracker();
  let init: Promise<void> | undefined;

  function ensureInit(): Promise<void> {
    if (bot.isInited()) return Promise.resolve();
    init ??= bot.init().catch((err: unknown) => {
      init = undefined;
      throw err;
    });
    return init;
  }

  async function handle(update: Update): Promise<void> {
    await ensureInit();
    try {
      await serialised(chatKey(update), () => bot.handleUpdate(update));
    } catch (err) {
      throw err instanceof BotError ? err.error : err;
    }
  }

  return {
    async receive(update, json) {
      const { id, duplicate } = await inbox.accept(prisma, "telegram", String(update.update_id), update, json);
      if (duplicate) return "duplicate";
      return track(
        (async (): Promise<ReceiveOutcome> => {
          try {
            await handle(update);
          } catch (err) {
            logger.error({ err, channel: "telegram", updateId: update.update_id }, "update failed; left in the inbox for a retry");
            await inbox.markFailed(prisma, id, err).catch((e: unknown) => logger.error({ err: e }, "could not record the failure"));
            return "failed";
          }
          // The reply is out. Its processed mark commits with the other small writes of the
          // moment (hot-writes.ts) while the webhook already answers: waiting for it narrowed
          // nothing — a crash before that commit means a second reply on replay whether
          // Telegram had its 200 or not — but it held every answer for one more group
          // statement. Shutdown still waits for it (idle()). Should it fail, the update stays
          // pending and is replayed after DEFAULT_REPLAY_AGE_MS, as after a crash.
          void track(
            inbox.markProcessed(prisma, id).catch((err: unknown) => {
              logger.error({ err, channel: "telegram", updateId: update.update_id }, "could not mark an answered update processed; it will be replayed");
            }),
          );
          return "processed";
        })(),
      );
    },
    replayPending(opts = {}) {
      return track(
        inbox.processPending(
          prisma,
          async (u) => {
            logger.info({ channel: "telegram", externalId: u.externalId, attempt: u.attempts }, "replaying an unprocessed update");
            try {
              await handle(u.payload as Update);
            } catch (err) {
              logger.error({ err, channel: "telegram", externalId: u.externalId, attempt: u.attempts }, "replayed update failed again");
              throw err;
            }
          },
          { channel: "telegram", olderThanMs: opts.olderThanMs ?? DEFAULT_REPLAY_AGE_MS, limit: opts.limit ?? 100 },
        ),
      );
    },
    idle,
  };
}

function chatKey(u: Update): string {
  const id = u.message?.chat.id ?? u.callback_query?.message?.chat.id ?? u.callback_query?.from.id ?? u.edited_message?.chat.id;
  return id === undefined ? `update:${u.update_id}` : `chat:${id}`;
}
