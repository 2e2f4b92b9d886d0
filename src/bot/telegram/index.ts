// Telegram channel, built once per process (src/app/channels.ts): webhook or polling, the inbox
// processor, the delivery sender, readiness; and the CLI's webhook registration.
import express, { type Router } from "express";
import { Bot, GrammyError, HttpError } from "grammy";
import type { Config } from "../../app/config.ts";
import type { AppContext } from "../../app/context.ts";
import { createTelegramBot, type ConversationPort, type TelegramBot } from "./bot.ts";
import { ALLOWED_UPDATES, startPolling, type Poller } from "./polling.ts";
import { createUpdateProcessor, DEFAULT_REPLAY_AGE_MS, type UpdateProcessor } from "./processor.ts";
import { createTelegramWebhookRouter, WEBHOOK_PATH } from "./webhook.ts";
import { createTelegramPhotoReader } from "./photo.ts";
import { startReplayLoop } from "../work-tracker.ts";
import { webhookAuthLimit } from "../webhook-limit.ts";
import { TelegramSender } from "./sender.ts";

export { createTelegramBot, type ConversationPort } from "./bot.ts";
export { createUpdateProcessor } from "./processor.ts";
export { createTelegramWebhookRouter, WEBHOOK_PATH } from "./webhook.ts";

export interface ReadinessResult {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface TelegramChannel {
  enabled: boolean;
  /** The delivery sender (notices, announcements, the staff digest); present when enabled. */
  sender?: TelegramSender;
  /** Mount with createApp(ctx, { routers: [telegram.router] }). */
  router: Router;
  readinessCheck: () => Promise<ReadinessResult>;
  /** Stops polling and the replay timer, waits for updates in flight. Idempotent. */
  stop(): Promise<void>;
  /** Present when enabled (tests, benchmarks). */
  bot?: TelegramBot;
  processor?: UpdateProcessor;
}

export interface StartTelegramOptions {
  /** How often accepted-but-unprocessed updates are replayed (default 30 s; 0 = never). */
  replayIntervalMs?: number;
  /** Minimum age of an update before a replay touches it (default 60 s). */
  replayAgeMs?: number;
}

export function startTelegram(ctx: AppContext, conversation: ConversationPort, opts: StartTelegramOptions = {}): TelegramChannel {
  const { logger: rootLogger } = ctx;
  const tg = ctx.config.telegram;
  const logger = rootLogger.child({ component: "telegram" });
  if (tg.mode === "disabled") {
    const reason = tg.reason;
    logger.info({ reason }, "Telegram channel disabled");
    const router = express.Router();
    router.post(WEBHOOK_PATH, (_req, res) => {
      res.status(404).json({ error: { code: "not_found", message: `Telegram is not configured (${reason})` } });
    });
    return { enabled: false, router, readinessCheck: async () => ({ name: "telegram", ok: true, detail: `disabled: ${reason}` }), stop: async () => {} };
  }

  const { token, apiRoot } = tg;
  const photos = createTelegramPhotoReader({ token, apiRoot, decoder: ctx.slip.decoder, logger });
  const bot = createTelegramBot({ token, apiRoot, conversation, prisma: ctx.prisma, logger, photos });
  const processor = createUpdateProcessor({ bot, prisma: ctx.prisma, logger });

  // Learn the bot's identity now, so a wrong token shows in /readyz at once.
  let identity: { state: "pending" | "ok" | "rejected" | "unreachable"; detail?: string } = { state: "pending" };
  const identify = () =>
    bot.init().then(
      () => {
        identity = { state: "ok", detail: `@${bot.botInfo.username}` };
      },
      (err: unknown) => {
        identity =
          err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)
            ? { state: "rejected", detail: `token rejected: ${err.description}` }
            : { state: "unreachable", detail: err instanceof HttpError ? err.message : String(err) };
        logger.error({ err }, "Telegram getMe failed");
      },
    );
  void identify();

  let poller: Poller | undefined;
  let router: Router;
  if (tg.mode === "polling") {
    router = express.Router();
    router.post(WEBHOOK_PATH, (_req, res) => {
      res.status(404).json({ error: { code: "not_found", message: "Telegram runs in polling mode (TELEGRAM_MODE=polling)" } });
    });
    poller = startPolling({ token, apiRoot, processor, logger });
  } else {
    router = createTelegramWebhookRouter({
      secret: tg.webhookSecret,
      processor,
      logger,
      onPoison: (outcome) => ctx.metrics.webhookPoison.inc({ channel: "telegram", outcome }),
      authLimit: webhookAuthLimit(ctx),
    });
  }

  // Replay what a crash or a failure left in the inbox: once at start-up, then periodically.
  const replayAgeMs = opts.replayAgeMs ?? DEFAULT_REPLAY_AGE_MS;
  const timer = startReplayLoop({
    replay: () => processor.replayPending({ olderThanMs: replayAgeMs }),
    intervalMs: opts.replayIntervalMs ?? 30_000,
    logger,
    what: "Telegram updates",
  });

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    sender: new TelegramSender({ token, apiRoot, logger: logger.child({ component: "delivery" }) }),
    router,
    bot,
    processor,
    async readinessCheck() {
      if (identity.state === "unreachable") void identify();
      const pollingDown = poller !== undefined && !poller.running();
      const ok = identity.state !== "rejected" && !pollingDown;
      const detail = [tg.mode, identity.detail ?? identity.state, pollingDown ? "polling stopped" : undefined].filter(Boolean).join("; ");
      return { name: "telegram", ok, detail };
    },
    stop() {
      stopped ??= (async () => {
        if (timer) clearInterval(timer);
        await poller?.stop();
        await processor.idle();
      })();
      return stopped;
    },
  };
}

/**
 * Register the webhook with Telegram (CLI: `npm run cli -- telegram set-webhook`). Returns a
 * one-line description; throws an Error with a readable message when something is missing
 * or Telegram refuses.
 */
export async function setTelegramWebhook(config: Config): Promise<string> {
  const tg = config.telegram;
  if (tg.mode === "polling")
    throw new Error("TELEGRAM_MODE is polling: a webhook would stop getUpdates. Set TELEGRAM_MODE=webhook (or unset it) first");
  if (tg.mode === "disabled") {
    if (!tg.reason.startsWith("TELEGRAM_WEBHOOK_SECRET")) throw new Error("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env");
    throw new Error("TELEGRAM_WEBHOOK_SECRET is not set: choose 1–256 characters of A–Z a–z 0–9 _ - (e.g. `openssl rand -hex 32`)");
  }
  if (!config.http.publicUrl) throw new Error("PUBLIC_URL is not set: the public https:// address of this service is needed to build the webhook URL");
  const url = `${config.http.publicUrl.replace(/\/+$/, "")}${WEBHOOK_PATH}`;
  const api = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } }).api;
  try {
    await api.setWebhook(url, { secret_token: tg.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
    const info = await api.getWebhookInfo();
    const pending = info.pending_update_count ? `, ${info.pending_update_count} update(s) waiting` : "";
    return `Telegram webhook set to ${url} (updates: ${ALLOWED_UPDATES.join(", ")}; secret token sent in X-Telegram-Bot-Api-Secret-Token${pending})`;
  } catch (err) {
    if (err instanceof GrammyError) throw new Error(`Telegram refused setWebhook for ${url}: ${err.description} (${err.error_code})`);
    if (err instanceof HttpError) throw new Error(`Could not reach the Telegram Bot API at ${config.telegram.apiRoot}: ${err.message}`);
    throw err;
  }
}
