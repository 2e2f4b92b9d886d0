// Zalo OA channel: wiring of client, token store, sender, inbox processor and webhook, as a
// Feature for src/server.ts (zaloFeature) and as startZalo() for tests.
import type { Router } from "express";
import type { AppContext } from "../../context.ts";
import { ConversationService } from "../../core/conversation/index.ts";
import type { Feature } from "../../server.ts";
import { ZaloClient, type RetryPolicy } from "./client.ts";
import { createZaloProcessor, DEFAULT_REPLAY_AGE_MS, type ConversationPort, type ZaloEventProcessor } from "./processor.ts";
import type { ZaloRenderOptions } from "./render.ts";
import { ZaloSender } from "./sender.ts";
import { ZaloTokenStore, type ReadinessResult } from "./tokens.ts";
import { createZaloWebhookRouter, ZALO_WEBHOOK_PATH } from "./webhook.ts";
import { createZaloPhotoReader } from "./photo.ts";
import { startReplayLoop } from "../work-tracker.ts";
import { webhookAuthLimit } from "../webhook-limit.ts";

export { ZaloApiError, ZaloClient, ZaloWindowError } from "./client.ts";
export { ZaloSender } from "./sender.ts";
export { ZaloTokenStore } from "./tokens.ts";
export { ZALO_WEBHOOK_PATH } from "./webhook.ts";
export type { ConversationPort } from "./processor.ts";

export interface ZaloChannel {
  router: Router;
  readinessCheck: () => Promise<ReadinessResult>;
  client: ZaloClient;
  tokens: ZaloTokenStore;
  sender: ZaloSender;
  processor: ZaloEventProcessor;
  /** Stops the timers and waits for events in flight. Idempotent. */
  stop(): Promise<void>;
}

export interface StartZaloOptions {
  /** How often unprocessed inbox events are replayed (default 5 s; 0 = never). */
  replayIntervalMs?: number;
  /** Minimum age of an event before a replay touches it (default 60 s). */
  replayAgeMs?: number;
  /** How often the token is checked and refreshed ahead of expiry (default 60 s; 0 = never). */
  tokenCheckIntervalMs?: number;
  /** Accepted webhook timestamp skew (default 10 minutes). */
  maxEventAgeMs?: number;
  retry?: Partial<RetryPolicy>;
  render?: ZaloRenderOptions;
}

/** Build the channel. Requires config.zalo.enabled (the needed ZALO_* variables are set). */
export function startZalo(ctx: AppContext, conversation: ConversationPort, opts: StartZaloOptions = {}): ZaloChannel {
  const { config } = ctx;
  const logger = ctx.logger.child({ component: "zalo" });
  if (!config.zalo.enabled || !config.ZALO_APP_ID || !config.ZALO_APP_SECRET || !config.ZALO_WEBHOOK_SECRET || !config.ZALO_REFRESH_TOKEN) {
    throw new Error(`Zalo is not configured: ${config.zalo.reason ?? "ZALO_* variables missing"}`);
  }
  const tokens = new ZaloTokenStore({
    prisma: ctx.prisma,
    logger,
    appId: config.ZALO_APP_ID,
    appSecret: config.ZALO_APP_SECRET,
    oauthBase: config.ZALO_OAUTH_BASE,
    initial: { accessToken: config.ZALO_ACCESS_TOKEN, refreshToken: config.ZALO_REFRESH_TOKEN },
  });
  const client = new ZaloClient({ apiBase: config.ZALO_API_BASE, znsBase: config.ZALO_ZNS_BASE, tokens, logger, ...(opts.retry ? { retry: opts.retry } : {}) });
  const sender = new ZaloSender(client, { ...opts.render, logger });
  const photos = createZaloPhotoReader({ decoder: ctx.slip.decoder, logger });
  const processor = createZaloProcessor({ prisma: ctx.prisma, conversation, sender, logger, photos });
  const router = createZaloWebhookRouter({
    appId: config.ZALO_APP_ID,
    secret: config.ZALO_WEBHOOK_SECRET,
    processor,
    logger,
    onPoison: (outcome) => ctx.metrics.webhookPoison.inc({ channel: "zalo", outcome }),
    authLimit: webhookAuthLimit(ctx),
    ...(opts.maxEventAgeMs ? { maxEventAgeMs: opts.maxEventAgeMs } : {}),
  });

  // Replay what a crash or a failure left in the inbox: at start-up, then periodically.
  const replayAgeMs = opts.replayAgeMs ?? DEFAULT_REPLAY_AGE_MS;
  const timers: NodeJS.Timeout[] = [];
  const replayInterval = opts.replayIntervalMs ?? 5_000;
  if (replayInterval > 0) {
    const t = startReplayLoop({ replay: () => processor.replayPending({ olderThanMs: replayAgeMs }), intervalMs: replayInterval, logger, what: "Zalo events" });
    if (t) timers.push(t);
  }
  // Refresh ahead of expiry, so that a broken refresh shows on /readyz before sends fail.
  const tokenInterval = opts.tokenCheckIntervalMs ?? 60_000;
  if (tokenInterval > 0) {
    void tokens.getAccessToken().catch(() => {
      /* logged loudly by the token store */
    });
    timers.push(
      setInterval(() => {
        tokens.getAccessToken().catch(() => {
          /* logged loudly by the token store */
        });
      }, tokenInterval),
    );
  }
  for (const t of timers) t.unref();

  let stopped: Promise<void> | undefined;
  return {
    router,
    readinessCheck: () => tokens.readinessCheck(),
    client,
    tokens,
    sender,
    processor,
    stop() {
      stopped ??= (async () => {
        for (const t of timers) clearInterval(t);
        await processor.idle();
      })();
      return stopped;
    },
  };
}

export interface ZaloFeatureOptions extends StartZaloOptions {
  /** The conversation to answer with (default: a ConversationService over the context). */
  conversation?: (ctx: AppContext) => ConversationPort;
}

/** The Zalo OA channel as a service feature; does nothing unless config.zalo.enabled. */
export function zaloFeature(opts: ZaloFeatureOptions = {}): Feature {
  return {
    name: "zalo",
    async start(ctx, extras) {
      if (!ctx.config.zalo.enabled) {
        ctx.logger.info({ reason: ctx.config.zalo.reason }, "Zalo channel disabled");
        return;
      }
      const conversation = opts.conversation?.(ctx) ?? ctx.conversation;
      const zalo = startZalo(ctx, conversation, opts);
      extras.routers.push(zalo.router);
      extras.readinessChecks.push(zalo.readinessCheck);
      return { stop: () => zalo.stop(), lines: [`  Zalo webhook: POST ${ZALO_WEBHOOK_PATH}`] };
    },
  };
}
