// The optional parts of the service, started by src/server.ts in this order.
import { createDashboardRouter } from "./api/pages/dashboard.ts";
import { createTryRouter } from "./api/pages/try.ts";
import { limitRules, requestLimit } from "./api/rate-limit.ts";
import { createSlipLinkRouter } from "./api/pages/slip.ts";
import { slipRoutes } from "./api/routes/slips.ts";
import { createOpenDataRouter } from "./api/pages/open-data.ts";
import { OpenDataPublisher, openDataSettings } from "./core/open-data/index.ts";
import { startTelegram } from "./bot/telegram/index.ts";
import { deliveryFeature } from "./bot/delivery-feature.ts";
import { surveyFeature } from "./bot/survey-feature.ts";
import { zaloFeature } from "./bot/zalo/index.ts";
import type { Config } from "./config.ts";
import { runExclusive, sweepExpired } from "./core/retention.ts";
import { claimJob, releaseJob } from "./core/jobs.ts";
import { DEMO_APPLICANT } from "./demo/seed.ts";
import { webUpdates } from "./core/delivery/web-inbox.ts";
import { StartupRefusedError, type Feature } from "./server.ts";

/** getUpdates allows one consumer per bot: one instance holds the polling lease, renewed while it runs. */
async function holdPollingLease(ctx: Parameters<Feature["start"]>[0]): Promise<() => Promise<void>> {
  const holder = `polling:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  if (!(await claimJob(ctx.prisma, "telegram-polling", POLLING_LEASE_MS, holder)))
    throw new StartupRefusedError(
      "Telegram long polling already runs on another instance of this database; only one may poll. Stop it, or set TELEGRAM_MODE=webhook to run several instances.",
    );
  const renew = setInterval(() => {
    claimJob(ctx.prisma, "telegram-polling", POLLING_LEASE_MS, holder).catch((err: unknown) => ctx.logger.warn({ err }, "could not renew the polling lease"));
  }, POLLING_LEASE_MS / 3);
  renew.unref();
  return async () => {
    clearInterval(renew);
    await releaseJob(ctx.prisma, "telegram-polling", holder).catch(() => {});
  };
}
const POLLING_LEASE_MS = 30_000;

const telegramFeature: Feature = {
  name: "telegram",
  async start(ctx, extras) {
    const releasePolling = ctx.config.telegram.enabled && ctx.config.TELEGRAM_MODE === "polling" ? await holdPollingLease(ctx) : undefined;
    const telegram = startTelegram(ctx, ctx.conversation);
    extras.routers.push(telegram.router);
    extras.readinessChecks.push(telegram.readinessCheck);
    const lines = telegram.enabled && ctx.config.TELEGRAM_MODE === "webhook" ? ["  Telegram webhook: POST {url}/webhooks/telegram (register: npm run cli -- telegram set-webhook)"] : [];
    return {
      stop: async () => {
        await telegram.stop();
        await releasePolling?.();
      },
      lines,
    };
  },
};

/** The try-the-bot page: only on the embedded database with demo data. */
const tryPageFeature: Feature = {
  name: "try-page",
  async start(ctx, extras) {
    const enabled = ctx.config.database.kind === "embedded" && ctx.config.DEMO_DATA !== "off";
    const codes = enabled
      ? (await ctx.prisma.dossier.findMany({ where: { demo: true, applicantPhone: DEMO_APPLICANT.phone }, select: { code: true }, orderBy: { id: "asc" } })).map((d) => d.code)
      : [];
    // Each chat message costs a conversation turn: limited per client address (RATE_LIMIT_TRY a minute).
    const rule = limitRules(ctx.config).try;
    if (enabled) extras.routers.push(requestLimit(ctx.rateLimiter, rule, ["/try/api/message"], () => ctx.metrics.httpRateLimited.inc({ limit: rule.name })));
    extras.routers.push(
      createTryRouter({
        conversation: ctx.conversation,
        enabled,
        demo: { phone: DEMO_APPLICANT.phone, codes },
        logger: ctx.logger,
        updates: (sessionId, after) => webUpdates(ctx.prisma, sessionId, after),
      }),
    );
    return enabled ? { lines: ["  Try the bot: {url}/try (demo data, no token needed)"] } : undefined;
  },
};

/** The staff and analyst dashboard: a static page; the API key pasted into it decides what it shows. */
const dashboardFeature: Feature = {
  name: "dashboard",
  async start(ctx, extras) {
    extras.routers.push(createDashboardRouter({ logger: ctx.logger }));
    return { lines: ["  Dashboard: {url}/dashboard (staff and analysts, with an API key)"] };
  },
};

/** Receipt slips: the QR and stub for staff, the /l/<token> page, and the photo-reading threads. */
const slipFeature: Feature = {
  name: "slips",
  async start(ctx, extras) {
    extras.routers.push(createSlipLinkRouter(ctx));
    extras.routeModules.push(slipRoutes);
    return { stop: () => ctx.slip.decoder.close() };
  },
};

/** Open data: /open-data/* from the last nightly generation; OPEN_DATA=off answers 404. */
const openDataFeature: Feature = {
  name: "open-data",
  async start(ctx, extras) {
    if (ctx.config.OPEN_DATA === "off") {
      extras.routers.push(createOpenDataRouter({ publisher: null }));
      return;
    }
    const publisher = new OpenDataPublisher({ prisma: ctx.prisma, settings: openDataSettings(ctx.config), logger: ctx.logger });
    publisher.start();
    extras.routers.push(createOpenDataRouter({ publisher }));
    return { stop: () => publisher.stop(), lines: ["  Open data:  {url}/open-data/catalog.json"] };
  },
};

/** The learning loop's upkeep: labels made on another instance retrain this one (checked every minute). */
const learningFeature: Feature = {
  name: "learning-loop",
  async start(ctx) {
    const log = ctx.logger.child({ component: "understanding" });
    const refresh = setInterval(() => void ctx.learning.refreshIfChanged().catch((err: unknown) => log.error({ err }, "learning loop refresh failed")), 60_000);
    refresh.unref();
    return { stop: async () => clearInterval(refresh) };
  },
};

/** Retention: the daily sweep of expired personal data (docs/retention.md), on one instance at a time. */
const retentionFeature: Feature = {
  name: "retention",
  async start(ctx) {
    const log = ctx.logger.child({ component: "retention" });
    const c = ctx.config;
    const settings = {
      inboxDays: c.INBOX_RETENTION_DAYS,
      conversationDays: c.CONVERSATION_RETENTION_DAYS,
      unrecognisedDays: c.UNRECOGNISED_RETENTION_DAYS,
      outboundBodyDays: c.OUTBOUND_BODY_RETENTION_DAYS,
      auditDays: c.AUDIT_RETENTION_DAYS,
    };
    const sweep = async () => {
      try {
        const r = await runExclusive(ctx.prisma, "retention", () => sweepExpired(ctx.prisma, settings));
        if (r && Object.values(r).some((n) => n > 0)) log.info(r, "deleted personal data past its retention");
      } catch (err) {
        log.error({ err }, "retention sweep failed");
      }
    };
    const timer = setInterval(() => void sweep(), 6 * 3_600_000);
    timer.unref();
    const first = setTimeout(() => void sweep(), 60_000);
    first.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        clearTimeout(first);
      },
    };
  },
};

export function features(_config: Config): Feature[] {
  return [tryPageFeature, dashboardFeature, slipFeature, openDataFeature, telegramFeature, zaloFeature(), learningFeature, retentionFeature, surveyFeature(), deliveryFeature()];
}
