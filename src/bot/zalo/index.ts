// Zalo OA channel: client, the one token store, senders (replies and deliveries), inbox
// processor and webhook — built once per process by src/app/channels.ts.
import type { Router } from "express";
import type { AppContext } from "../../app/context.ts";
import type { SendOutcome, ZnsSender } from "../../core/delivery/types.ts";
import { ZaloClient, type RetryPolicy } from "./client.ts";
import { createZaloProcessor, DEFAULT_REPLAY_AGE_MS, type ConversationPort, type ZaloEventProcessor } from "./processor.ts";
import type { ZaloRenderOptions } from "./render.ts";
import { outcomeOf, ZaloSender } from "./sender.ts";
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
  /** The one token store of the process (refreshes once, shared by replies and deliveries). */
  tokens: ZaloTokenStore;
  /** Replies to webhook events (the client's own retries). */
  sender: ZaloSender;
  /** The delivery engine's sender over the same client and tokens, one try per call (the engine owns retries). */
  deliverySender: ZaloSender;
  /** ZNS template sends for closed windows (when ZALO_ZNS_TEMPLATE_STATUS is set). */
  zns?: { sender: ZnsSender; templateId: string };
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

/** ZNS through the Zalo client (template message to a phone number). */
export class ZaloZnsSender implements ZnsSender {
  constructor(private readonly client: ZaloClient) {}

  async sendTemplate(phone: string, templateId: string, data: Record<string, string>, trackingId: string): Promise<SendOutcome> {
    try {
      const r = await this.client.sendZns(phone, templateId, data, trackingId);
      return { ok: true, platformMessageId: r.msgId };
    } catch (err) {
      return outcomeOf(err);
    }
  }
}

/** Build the channel, once per process (src/app/channels.ts). Requires Zalo to be configured (ZALO_* set). */
export function startZalo(ctx: AppContext, conversation: ConversationPort, opts: StartZaloOptions = {}): ZaloChannel {
  const zc = ctx.config.zalo;
  const logger = ctx.logger.child({ component: "zalo" });
  if (zc.mode === "disabled") throw new Error(`Zalo is not configured: ${zc.reason}`);
  const tokens = new ZaloTokenStore({
    prisma: ctx.prisma,
    logger,
    appId: zc.appId,
    appSecret: zc.appSecret,
    oauthBase: zc.oauthBase,
    initial: { accessToken: zc.accessToken, refreshToken: zc.refreshToken },
  });
  const client = new ZaloClient({ apiBase: zc.apiBase, znsBase: zc.znsBase, tokens, logger, ...(opts.retry ? { retry: opts.retry } : {}) });
  const sender = new ZaloSender(client, { ...opts.render, logger });
  const once = client.withRetry({ tries: 1 });
  const deliverySender = new ZaloSender(once, { ...opts.render, logger: logger.child({ component: "delivery" }) });
  const zns = zc.znsTemplateStatus ? { sender: new ZaloZnsSender(once), templateId: zc.znsTemplateStatus } : undefined;
  const photos = createZaloPhotoReader({ decoder: ctx.slip.decoder, logger });
  const processor = createZaloProcessor({ prisma: ctx.prisma, conversation, sender, logger, photos });
  const router = createZaloWebhookRouter({
    appId: zc.appId,
    secret: zc.webhookSecret,
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
    deliverySender,
    ...(zns ? { zns } : {}),
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
