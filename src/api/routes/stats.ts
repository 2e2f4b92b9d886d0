// Analyst statistics: the satisfaction index and the timeliness report. Computation lives in
// src/core/stats; formulas and sources in docs/satisfaction.md.
import type { AppContext } from "../../context.ts";
import { satisfactionIndex, satisfactionQuerySchema, satisfactionReportSchema } from "../../core/stats/satisfaction.ts";
import { timelinessQuerySchema, timelinessReport, timelinessReportSchema } from "../../core/stats/timeliness.ts";
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
    handler: async ({ query }) => satisfactionIndex(ctx.prisma, query, { target: ctx.config.SATISFACTION_TARGET }),
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
}
