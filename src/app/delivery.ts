// Background delivery as a module: the automatic-notice listener, the broadcast routes and the
// delivery worker over the senders of the channels built once in src/app/channels.ts. The
// engine itself (src/core/delivery) knows no platform: pure policy (policy.ts), queue SQL and
// the worker loop (engine.ts).
import { broadcastRoutes } from "../api/routes/broadcasts.ts";
import { DeliveryWorker, type DeliveryChannel, type DeliveryWorkerOptions } from "../core/delivery/engine.ts";
import type { QuietWindow } from "../core/delivery/quiet-hours.ts";
import type { ChannelSender } from "../core/delivery/types.ts";
import { catchUpNotices, noticeListener } from "../core/notices/index.ts";
import type { Channels } from "./channels.ts";
import { tryPageEnabled } from "./channels.ts";
import type { AppContext } from "./context.ts";
import type { Module } from "./module.ts";

export interface DeliveryModuleOptions {
  /** Replace the channels' senders (tests, benchmarks). */
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

export function deliveryModule(opts: DeliveryModuleOptions = {}): Module {
  return {
    name: "delivery",
    async build(ctx: AppContext, chans: Channels) {
      const settings = ctx.config.delivery;
      // On the demo database every broadcast waits for a second staff key, so that approval can be
      // tried (unless BROADCAST_APPROVAL_THRESHOLD says otherwise).
      let approvalThreshold = opts.approvalThreshold ?? ctx.config.broadcasts.approvalThreshold ?? 1000;
      if (opts.approvalThreshold === undefined && ctx.config.broadcasts.approvalThreshold === undefined && tryPageEnabled(ctx.config))
        if ((await ctx.prisma.dossier.findFirst({ where: { demo: true }, select: { id: true } })) !== null) approvalThreshold = 1;
      const quietHours = opts.quietHours !== undefined ? opts.quietHours : settings.quietHours;
      const built = opts.senders ? { notes: [], ...opts.senders(ctx) } : { senders: chans.senders, zns: chans.zns, notes: chans.notes };
      const channels = built.senders.map((s) => s.channel) as DeliveryChannel[];
      const logger = ctx.logger.child({ component: "delivery" });
      const shared = settings.pacing === "shared" || (settings.pacing === "auto" && ctx.config.database.kind === "server");
      for (const n of built.notes) logger.info(n);

      const notices = { prisma: ctx.prisma, calendar: ctx.calendar, logger, channels };
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
      return {
        routes: [(api, c) => broadcastRoutes(api, c, { approvalThreshold, channels, quietHours })],
        statusListeners: [noticeListener(notices)],
        lines: [
          `  Delivery: ${channels.length ? channels.join(", ") : "no channel configured"}; pace ${shared ? "shared by every instance on the database" : "for this process"}; quiet hours ${
            quietHours ? `${quietHours.start}–${quietHours.end}` : "off"
          }; broadcasts of ${approvalThreshold}+ messages need approval`,
        ],
        start() {
          if (channels.length) {
            worker.start();
            // In the background: start-up does not wait for it, and enqueueing is idempotent.
            const catchUpMs = opts.catchUpMs ?? 24 * 3_600_000;
            if (catchUpMs > 0)
              catchingUp = catchUpNotices(notices, new Date(Date.now() - catchUpMs)).catch((err: unknown) => logger.error({ err }, "catching up missed notices failed"));
          }
          opts.onStarted?.({ worker, channels });
        },
        async stop() {
          await catchingUp;
          await worker.stop();
        },
      };
    },
  };
}
