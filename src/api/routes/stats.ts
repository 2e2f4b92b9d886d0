// Analyst statistics: the satisfaction index and the timeliness report. Computation lives in
// src/core/stats; formulas and sources in docs/satisfaction.md.
import type { AppContext } from "../../app/context.ts";
import { satisfactionIndex, satisfactionQuerySchema, satisfactionReportSchema } from "../../core/stats/satisfaction.ts";
import { timelinessQuerySchema, timelinessReport, timelinessReportSchema } from "../../core/stats/timeliness.ts";
import { heatmap, heatmapQuerySchema, heatmapSchema, satisfactionTrend, trendQuerySchema, trendSchema, wardTimeliness, wardTimelinessQuerySchema, wardTimelinessSchema } from "../../core/stats/charts.ts";
import type { ApiRoutes } from "../http.ts";

export function statsRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/stats/satisfaction",
    summary:
      "Satisfaction index: (very satisfied + satisfied) / rated with n, response rate, Wilson 95% interval, small-sample flag, gap to target, Decision 766 S, reasons ranked",
    tags: ["stats"],
    roles: ["analyst"],
    query: satisfactionQuerySchema,
    response: satisfactionReportSchema,
    handler: async ({ query }) => satisfactionIndex(ctx.prisma, query, { target: ctx.config.satisfactionTarget }),
  });

  api.add({
    method: "get",
    path: "/stats/timeliness",
    summary:
      "Timeliness per unit and period: received, finished on time / late, open past due, national overdue rule, wards without late dossiers, refused + suspended + withdrawn share with reasons",
    tags: ["stats"],
    roles: ["analyst"],
    query: timelinessQuerySchema,
    response: timelinessReportSchema,
    handler: async ({ query }) => timelinessReport(ctx.prisma, query),
  });

  api.add({
    method: "get",
    path: "/stats/trend",
    summary: "Monthly satisfaction index with its Wilson 95% band and the target line (every month of the period, default the last 12)",
    tags: ["stats"],
    roles: ["analyst"],
    query: trendQuerySchema,
    response: trendSchema,
    handler: async ({ query }) => satisfactionTrend(ctx.prisma, query, { target: ctx.config.satisfactionTarget }),
  });

  api.add({
    method: "get",
    path: "/stats/heatmap",
    summary: "Unit × month heat map of the satisfaction index (metric=satisfaction) or of the on-time share (metric=onTime)",
    tags: ["stats"],
    roles: ["analyst"],
    query: heatmapQuerySchema,
    response: heatmapSchema,
    handler: async ({ query }) => heatmap(ctx.prisma, query, { target: ctx.config.satisfactionTarget }),
  });

  api.add({
    method: "get",
    path: "/stats/wards",
    summary: "Timeliness per ward against the target of 100% of wards with no late dossier (late = finished late + open past due)",
    tags: ["stats"],
    roles: ["analyst"],
    query: wardTimelinessQuerySchema,
    response: wardTimelinessSchema,
    handler: async ({ query }) => wardTimeliness(ctx.prisma, query),
  });
}
