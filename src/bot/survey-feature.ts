// The survey as a service feature: asks on "returned" (status listener), takes the answers
// (conversation interceptor), reminds and expires (scheduler, every minute), and mounts the
// analyst/admin routes (surveys, feedback, stats).
import { feedbackRoutes } from "../api/routes/feedback.ts";
import { statsRoutes } from "../api/routes/stats.ts";
import { surveyRoutes } from "../api/routes/surveys.ts";
import type { DeliveryChannel } from "../core/delivery/engine.ts";
import { currentSurvey, surveyScheduler, surveyStatusListener } from "../core/survey/index.ts";
import type { Feature } from "../server.ts";

export interface SurveyFeatureOptions {
  /** How often reminders, expiry and delivery outcomes are processed (default 60 s). */
  intervalMs?: number;
  /** Channels with a delivery sender; default: those configured (TELEGRAM_*, ZALO_*). */
  channels?: DeliveryChannel[];
}

export function surveyFeature(opts: SurveyFeatureOptions = {}): Feature {
  return {
    name: "survey",
    async start(ctx, extras) {
      const channels =
        opts.channels ?? (["telegram", "zalo"] as const).filter((c) => (c === "telegram" ? ctx.config.telegram.enabled : ctx.config.zalo.enabled));
      const deps = { prisma: ctx.prisma, logger: ctx.logger.child({ component: "survey" }), channels: [...channels] };
      // Seed survey v1 now rather than on the first returned dossier.
      const current = await currentSurvey(ctx.prisma);
      ctx.statusListeners.push(surveyStatusListener(deps));
      extras.routeModules.push(surveyRoutes, feedbackRoutes, statsRoutes);
      const scheduler = surveyScheduler(deps);
      scheduler.start(opts.intervalMs ?? 60_000);
      return {
        stop: () => scheduler.stop(),
        lines: [`  Survey v${current.version}: asked on ${channels.length ? channels.join(" + ") : "no channel (none configured)"} when a dossier is returned`],
      };
    },
  };
}
