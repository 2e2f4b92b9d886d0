// TELEGRAM_MODE=polling: getUpdates instead of a webhook (no public URL needed). A second,
// bare grammY Bot only fetches; each update goes through the same inbox path as a webhook
// delivery, so dedupe, retries and ordering are the same. grammY confirms an update (by the
// next getUpdates offset) only after receive() returned, i.e. after it was stored.
import { Bot } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import type { Logger } from "../../logger.ts";
import type { UpdateProcessor } from "./processor.ts";

export const ALLOWED_UPDATES = ["message", "callback_query"] as const;

export interface Poller {
  running(): boolean;
  stop(): Promise<void>;
}

export function startPolling(deps: { token: string; apiRoot: string; processor: UpdateProcessor; logger: Logger; botInfo?: UserFromGetMe }): Poller {
  const poller = new Bot(deps.token, { client: { apiRoot: deps.apiRoot }, ...(deps.botInfo ? { botInfo: deps.botInfo } : {}) });
  let stopping = false;
  poller.use(async (ctx) => {
    // Until the update is stored it exists only in this process (grammY confirms it with the
    // next getUpdates offset), so keep trying; holding up polling is the right back-pressure.
    for (let delay = 1000; ; delay = Math.min(delay * 2, 30_000)) {
      try {
        await deps.processor.receive(ctx.update as Update);
        return;
      } catch (err) {
        deps.logger.error({ err, updateId: ctx.update.update_id }, "could not accept a polled Telegram update; retrying");
        if (stopping) return;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  });
  poller.catch((err) => deps.logger.error({ err: err.error }, "telegram polling error"));
  let running = true;
  const done = poller
    .start({ allowed_updates: [...ALLOWED_UPDATES], onStart: (me) => deps.logger.info({ bot: me.username }, "telegram long polling started") })
    .catch((err: unknown) => deps.logger.error({ err }, "telegram long polling stopped"))
    .finally(() => {
      running = false;
    });
  return {
    running: () => running,
    async stop() {
      stopping = true;
      if (poller.isRunning()) await poller.stop();
      await done;
    },
  };
}
