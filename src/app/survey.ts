// The survey as a module: asks on "returned" (status listener), takes the answers (the
// conversation's interceptor), reminds and expires (a job, every minute, one instance at a
// time), and the analyst/admin routes (surveys, feedback, stats).
import { feedbackRoutes } from "../api/routes/feedback.ts";
import { statsRoutes } from "../api/routes/stats.ts";
import { surveyRoutes } from "../api/routes/surveys.ts";
import type { DeliveryChannel } from "../core/delivery/engine.ts";
import { currentSurvey, runSurveySchedule, surveyStatusListener } from "../core/survey/index.ts";
import type { Module } from "./module.ts";

export interface SurveyModuleOptions {
  /** How often reminders, expiry and delivery outcomes are processed (default 60 s). */
  intervalMs?: number;
  /** Channels with a delivery sender; default: those of the channels built (src/app/channels.ts). */
  channels?: DeliveryChannel[];
}

export function surveyModule(opts: SurveyModuleOptions = {}): Module {
  return {
    name: "survey",
    async build(ctx, chans) {
      const channels = opts.channels ?? chans.deliveryChannels;
      const deps = { prisma: ctx.prisma, logger: ctx.logger.child({ component: "survey" }), channels: [...channels] };
      // Seed survey v1 now rather than on the first returned dossier.
      const current = await currentSurvey(ctx.prisma);
      return {
        statusListeners: [surveyStatusListener(deps)],
        routes: [surveyRoutes, feedbackRoutes, statsRoutes],
        jobs: [{ name: "survey-schedule", firstAfterMs: 0, everyMs: opts.intervalMs ?? 60_000, exclusive: { leaseMs: 10 * 60_000 }, run: () => runSurveySchedule(deps) }],
        lines: [`  Survey v${current.version}: asked on ${channels.length ? channels.join(" + ") : "no channel (none configured)"} when a dossier is returned`],
      };
    },
  };
}
