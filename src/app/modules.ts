// The modules of the service, in the order src/app/service.ts assembles them: routers are
// mounted, status listeners called and start-up lines printed in this order; stops run in
// reverse. Each module declares its parts as data (src/app/module.ts).
import { fillPseudonyms } from "../core/export/pseudonyms.ts";
import { createDashboardRouter } from "../api/pages/dashboard.ts";
import { createOpenDataRouter } from "../api/pages/open-data.ts";
import { createSlipLinkRouter } from "../api/pages/slip.ts";
import { createTryRouter } from "../api/pages/try.ts";
import { limitRules, requestLimit } from "../api/rate-limit.ts";
import { slipRoutes } from "../api/routes/slips.ts";
import { runDigest } from "../core/at-risk-digest.ts";
import { webUpdates } from "../core/delivery/web-inbox.ts";
import { OpenDataPublisher, type OpenDataSettings } from "../core/open-data/index.ts";
import type { Config } from "./config.ts";
import { sweepExpired } from "../core/retention.ts";
import { DEMO_APPLICANT } from "../demo/seed.ts";
import { tryPageEnabled } from "./channels.ts";
import { deliveryModule } from "./delivery.ts";
import type { Module } from "./module.ts";
import { surveyModule } from "./survey.ts";

/** The try-the-bot page: only on the embedded database with demo data. */
export const tryPageModule: Module = {
  name: "try-page",
  async build(ctx) {
    const enabled = tryPageEnabled(ctx.config);
    const codes = enabled
      ? (await ctx.prisma.dossier.findMany({ where: { demo: true, applicantPhone: DEMO_APPLICANT.phone }, select: { code: true }, orderBy: { id: "asc" } })).map((d) => d.code)
      : [];
    // Each chat message costs a conversation turn: limited per client address (RATE_LIMIT_TRY a minute).
    const rule = limitRules(ctx.config).try;
    const page = createTryRouter({
      conversation: ctx.conversation,
      enabled,
      demo: { phone: DEMO_APPLICANT.phone, codes },
      logger: ctx.logger,
      updates: (sessionId, after) => webUpdates(ctx.prisma, sessionId, after),
    });
    return {
      routers: enabled ? [requestLimit(ctx.rateLimiter, rule, ["/try/api/message"], () => ctx.metrics.httpRateLimited.inc({ limit: rule.name })), page] : [page],
      lines: enabled ? ["  Try the bot: {url}/try (demo data, no token needed)"] : [],
    };
  },
};

/** The staff and analyst dashboard: a static page; the API key pasted into it decides what it shows. */
export const dashboardModule: Module = {
  name: "dashboard",
  build: (ctx) => ({
    routers: [createDashboardRouter({ logger: ctx.logger, quietHours: ctx.config.delivery.quietHours })],
    lines: ["  Dashboard: {url}/dashboard (staff and analysts, with an API key)"],
  }),
};

/** Receipt slips: the QR and stub for staff, the /l/<token> page, and the photo-reading threads. */
export const slipModule: Module = {
  name: "slips",
  build: (ctx) => ({ routers: [createSlipLinkRouter(ctx)], routes: [slipRoutes], stop: () => ctx.slip.decoder.close() }),
};

/** The publisher's settings from the configuration's openData section. */
export function openDataSettings(c: Config): OpenDataSettings {
  const o = c.openData;
  return {
    threshold: o.minCell,
    months: o.months,
    settleDays: o.settleDays,
    title: o.title,
    publisher: o.publisher,
    publisherUrl: o.publisherUrl,
    license: o.license,
    licenseUrl: o.licenseUrl,
    refreshAt: o.refreshAt,
    publicUrl: c.http.publicUrl,
    target: c.satisfactionTarget,
  };
}

/** Open data: /open-data/* from the last nightly generation; OPEN_DATA=off answers 404. */
export const openDataModule: Module = {
  name: "open-data",
  build(ctx) {
    if (!ctx.config.openData.enabled) return { routers: [createOpenDataRouter({ publisher: null })] };
    const publisher = new OpenDataPublisher({ prisma: ctx.prisma, settings: openDataSettings(ctx.config), logger: ctx.logger });
    return {
      routers: [createOpenDataRouter({ publisher })],
      start: () => publisher.start(),
      stop: () => publisher.stop(),
      lines: ["  Open data:  {url}/open-data/catalog.json"],
    };
  },
};

/** The chat channels (built once, src/app/channels.ts): their webhooks and readiness. */
export const channelsModule: Module = {
  name: "channels",
  build: (ctx, channels) => ({
    routers: channels.routers,
    readiness: channels.readiness,
    lines: [
      ...(ctx.config.telegram.mode === "webhook" ? ["  Telegram webhook: POST {url}/webhooks/telegram (register: npm run cli -- telegram set-webhook)"] : []),
      ...(channels.zalo ? ["  Zalo webhook: POST {url}/webhooks/zalo"] : []),
    ],
  }),
};

/** The learning loop's upkeep: labels made on another instance retrain this one (checked every minute). */
export const learningModule: Module = {
  name: "learning-loop",
  build: (ctx) => ({ jobs: [{ name: "learning-refresh", firstAfterMs: 60_000, everyMs: 60_000, run: () => ctx.learning.refreshIfChanged() }] }),
};

/** Retention: the sweep of expired personal data (docs/retention.md), every 6 hours, on one instance at a time. */
export const retentionModule: Module = {
  name: "retention",
  build(ctx) {
    const settings = ctx.config.retention;
    return { jobs: [{ name: "retention", firstAfterMs: 60_000, everyMs: 6 * 3_600_000, exclusive: { leaseMs: 3_600_000 }, run: () => sweepExpired(ctx.prisma, settings) }] };
  },
};

/** Keeps each dossier's export pseudonym in its row (src/core/export/pseudonyms.ts): exports then hash nothing. */
export const pseudonymsModule: Module = {
  name: "export-pseudonyms",
  build(ctx) {
    return {
      jobs: [{ name: "export-pseudonyms", firstAfterMs: 15_000, everyMs: 10 * 60_000, exclusive: { leaseMs: 10 * 60_000 }, run: () => fillPseudonyms(ctx.prisma, ctx.hasher) }],
    };
  },
};

/** The morning digest of dossiers at risk to staff Telegram chats (STAFF_DIGEST_CHAT_IDS), once per working day. */
export const atRiskDigestModule: Module = {
  name: "at-risk-digest",
  build(ctx, channels) {
    const settings = ctx.config.digest;
    const sender = channels.telegram.sender;
    if (!settings.chatIds.length) return { lines: ["  At-risk digest: off (STAFF_DIGEST_CHAT_IDS not set)"] };
    if (!sender) return { lines: ["  At-risk digest: off (needs Telegram: TELEGRAM_BOT_TOKEN)"] };
    const deps = {
      prisma: ctx.prisma,
      calendar: ctx.calendar,
      settings,
      async send(chatId: string, text: string) {
        const r = await sender.send(chatId, [{ kind: "text", text }]);
        if (!r.ok) throw new Error(`Telegram refused the digest for a staff chat: ${r.message}`);
      },
    };
    // runDigest takes its own lease and records the day, so it goes out once a day across instances.
    return {
      jobs: [{ name: "at-risk-digest", firstAfterMs: 30_000, everyMs: 5 * 60_000, run: async () => ({ chats: (await runDigest(deps))?.length ?? 0 }) }],
      lines: [`  At-risk digest: ${settings.chatIds.length} staff chat(s), each working day at the start of the first session`],
    };
  },
};

/** Every module of `npm start`, in order. */
export function modules(): Module[] {
  return [tryPageModule, dashboardModule, slipModule, openDataModule, channelsModule, learningModule, retentionModule, pseudonymsModule, atRiskDigestModule, surveyModule(), deliveryModule()];
}
