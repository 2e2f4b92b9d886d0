// Background delivery as a service feature: channel senders for the enabled channels, the
// automatic-notice listener, the broadcast routes and the delivery worker.
// Lives in src/bot because it builds the platform senders; the engine itself is in
// src/core/delivery and knows no platform.
import type { AppContext } from "../context.ts";
import { broadcastSettings } from "../core/broadcasts/config.ts";
import { deliverySettings } from "../core/delivery/config.ts";
import { DeliveryWorker, type DeliveryChannel, type DeliveryWorkerOptions } from "../core/delivery/engine.ts";
import type { QuietWindow } from "../core/delivery/quiet-hours.ts";
import type { ChannelSender, SendOutcome, ZnsSender } from "../core/delivery/types.ts";
import { catchUpNotices, noticeListener } from "../core/notices/index.ts";
import type { Feature } from "../server.ts";
import { broadcastRoutes } from "../api/routes/broadcasts.ts";
import { TelegramSender } from "./telegram/sender.ts";
import { ZaloClient } from "./zalo/client.ts";
import { outcomeOf, ZaloSender } from "./zalo/sender.ts";
import { ZaloTokenStore } from "./zalo/tokens.ts";
import { WebSender } from "../core/delivery/web-inbox.ts";
import type { Config } from "../config.ts";

/** The /try page runs on the embedded database with demo data allowed (src/features.ts). */
export function tryPageEnabled(config: Config): boolean {
  return config.database.kind === "embedded" && config.DEMO_DATA !== "off";
}

export interface DeliveryFeatureOptions {
  /** Replace the senders built from the configuration (tests, benchmarks). */
  senders?: (ctx: AppContext) => { senders: ChannelSender[]; zns?: DeliveryWorkerOptions["zns"] };
  /** Worker overrides (tests: short polls and backoff). */
  worker?: Partial<Omit<DeliveryWorkerOptions, "prisma" | "senders" | "logger">>;
  approvalThreshold?: number;
  /** Quiet hours for announcements (default: QUIET_HOURS, else 21:00–07:00; null: none). */
  quietHours?: QuietWindow | null;
  /** Called with the running worker (tests and benchmarks drain it). */
  onStarted?: (parts: { worker: DeliveryWorker; channels: DeliveryChannel[] }) => void;
  /** Re-queue notices of status events from this long ago that a crash may have lost (default 24 h; 0 = off). */
  catchUpMs?: number;
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

/** Senders for the channels the configuration enables. */
export function configuredSenders(ctx: AppContext): { senders: ChannelSender[]; zns?: DeliveryWorkerOptions["zns"]; notes: string[] } {
  const { config } = ctx;
  const logger = ctx.logger.child({ component: "delivery" });
  const senders: ChannelSender[] = [];
  const notes: string[] = [];
  let zns: DeliveryWorkerOptions["zns"];
  if (config.telegram.enabled && config.TELEGRAM_BOT_TOKEN) {
    senders.push(new TelegramSender({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT, logger }));
  } else notes.push(`Telegram: ${config.telegram.reason ?? "disabled"}`);
  if (config.zalo.enabled && config.ZALO_APP_ID && config.ZALO_APP_SECRET && config.ZALO_REFRESH_TOKEN) {
    const tokens = new ZaloTokenStore({
      prisma: ctx.prisma,
      logger,
      appId: config.ZALO_APP_ID,
      appSecret: config.ZALO_APP_SECRET,
      oauthBase: config.ZALO_OAUTH_BASE,
      initial: { accessToken: config.ZALO_ACCESS_TOKEN, refreshToken: config.ZALO_REFRESH_TOKEN },
    });
    // One try per call: the engine owns retries and backoff (the token refresh on -216 still happens inside).
    const client = new ZaloClient({ apiBase: config.ZALO_API_BASE, znsBase: config.ZALO_ZNS_BASE, tokens, logger, retry: { tries: 1 } });
    senders.push(new ZaloSender(client, { logger }));
    if (config.ZALO_ZNS_TEMPLATE_STATUS) zns = { sender: new ZaloZnsSender(client), templateId: config.ZALO_ZNS_TEMPLATE_STATUS };
    else notes.push("ZNS fallback: off (ZALO_ZNS_TEMPLATE_STATUS not set): a closed Zalo window is recorded as undeliverable");
  } else notes.push(`Zalo: ${config.zalo.reason ?? "disabled"}`);
  // The /try page is a channel of the demo: its chats receive notices and broadcasts too.
  if (tryPageEnabled(config)) senders.push(new WebSender());
  return { senders, zns, notes };
}

export function deliveryFeature(opts: DeliveryFeatureOptions = {}): Feature {
  return {
    name: "delivery",
    async start(ctx, extras) {
      const settings = deliverySettings();
      // On the demo database every broadcast waits for a second staff key, so that approval can be tried
      // (unless BROADCAST_APPROVAL_THRESHOLD says otherwise).
      const demoApproval =
        !process.env.BROADCAST_APPROVAL_THRESHOLD && tryPageEnabled(ctx.config) && (await ctx.prisma.dossier.findFirst({ where: { demo: true }, select: { id: true } })) !== null;
      const approvalThreshold = opts.approvalThreshold ?? (demoApproval ? 1 : broadcastSettings().approvalThreshold);
      const quietHours = opts.quietHours !== undefined ? opts.quietHours : settings.quietHours;
      const built = opts.senders ? { notes: [], ...opts.senders(ctx) } : configuredSenders(ctx);
      const channels = built.senders.map((s) => s.channel) as DeliveryChannel[];
      // Routes first and synchronously: the app is built from `extras` right after start().
      extras.routeModules.push((api, c) => broadcastRoutes(api, c, { approvalThreshold, channels, quietHours }));
      const logger = ctx.logger.child({ component: "delivery" });
      const shared = settings.pacing === "shared" || (settings.pacing === "auto" && ctx.config.database.kind === "server");
      const lines = [`  Delivery: ${channels.length ? channels.join(", ") : "no channel configured"}; pace ${shared ? "shared by every instance on the database" : "for this process"}; quiet hours ${
        quietHours ? `${quietHours.start}–${quietHours.end}` : "off"
      }; broadcasts of ${approvalThreshold}+ messages need approval`];
      for (const n of built.notes) logger.info(n);

      const notices = { prisma: ctx.prisma, calendar: ctx.calendar, logger, channels };
      ctx.statusListeners.push(noticeListener(notices));
      const worker = new DeliveryWorker({
        prisma: ctx.prisma,
        senders: built.senders,
        logger: ctx.logger,
        limits: settings.limits,
        quietHours,
        maxAttempts: settings.maxAttempts,
        sharedPace: shared,
        lockMs: settings.claimMs,
        onSendResult: (channel, result) => {
          ctx.metrics.sendResults.inc({ channel, result });
          if (result === "rate_limited") ctx.metrics.rateLimited.inc({ channel });
        },
        ...(settings.workerId ? { workerId: settings.workerId } : {}),
        ...(built.zns ? { zns: built.zns } : {}),
        ...opts.worker,
      });
      let catchingUp: Promise<unknown> = Promise.resolve();
      if (channels.length) {
        worker.start();
        // In the background: start-up does not wait for it, and enqueueing is idempotent.
        const catchUpMs = opts.catchUpMs ?? 24 * 3_600_000;
        if (catchUpMs > 0)
          catchingUp = catchUpNotices(notices, new Date(Date.now() - catchUpMs)).catch((err: unknown) => logger.error({ err }, "catching up missed notices failed"));
      }
      opts.onStarted?.({ worker, channels });
      return {
        stop: async () => {
          await catchingUp;
          await worker.stop();
        },
        lines,
      };
    },
  };
}
