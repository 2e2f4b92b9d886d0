// Feedback for analysts: a cursor-paginated list and streamed CSV/XLSX exports (same filters
// as the satisfaction index). Identities are for admins only and every export is audit-logged.
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { AppError } from "../../core/errors.ts";
import { CONTENT_TYPES, exportFileName, prepareExport, writeFeedbackExport } from "../../core/export/index.ts";
import { feedbackFilterSchema, feedbackItem, feedbackItemSchema, fetchFeedbackBatch, resolveFilters, rowContext } from "../../core/export/feedback-rows.ts";
import { OutputClosedError } from "../../core/export/writers.ts";
import type { Principal } from "../../core/api-keys.ts";
import type { ApiRoutes } from "../http.ts";
import { pageSchema, paginate, paginationQuery } from "../pagination.ts";

function checkIdentities(identities: boolean, principal: Principal): void {
  if (identities && principal.role !== "admin")
    throw new AppError("forbidden", "identities=true needs the admin role; analysts get pseudonyms only", { identities: "admin only" });
}

export function feedbackRoutes(api: ApiRoutes, ctx: AppContext): void {
  const deps = { prisma: ctx.prisma, hasher: ctx.hasher, serverUrl: ctx.db.url, target: ctx.config.satisfactionTarget };

  api.add({
    method: "get",
    path: "/feedback",
    summary: "Survey responses, one per dossier and citizen, newest last (cursor pagination; applicant pseudonymised)",
    tags: ["feedback"],
    roles: ["analyst"],
    query: paginationQuery.extend(feedbackFilterSchema.shape),
    response: pageSchema(feedbackItemSchema, "FeedbackPage"),
    handler: async ({ query, principal }) => {
      checkIdentities(query.identities, principal);
      const resolved = await resolveFilters(ctx.prisma, query);
      if (query.identities)
        await ctx.prisma.auditLog.create({
          data: { actor: principal.actor, action: "feedback.list.identities", target: "feedback", details: { filters: resolved.echo } },
        });
      const rc = await rowContext(ctx.prisma, ctx.hasher, query.identities);
      return paginate(
        query,
        z.int().min(0),
        (item) => item.id,
        async (after, take) => (await fetchFeedbackBatch(ctx.prisma, resolved, after ?? 0, take)).map((r) => feedbackItem(r, rc)),
      );
    },
  });

  api.add({
    method: "get",
    path: "/feedback/export",
    summary: "Export responses as CSV (UTF-8 with BOM) or XLSX, streamed; columns in docs/exports.md; identities=true for admins (audit-logged)",
    tags: ["feedback"],
    roles: ["analyst"],
    query: feedbackFilterSchema.extend({
      format: z.enum(["csv", "xlsx"]).default("csv").describe("csv or xlsx"),
      headers: z.enum(["en", "vi"]).default("en").describe("Column headers: en (stable names, for scripts) or vi (Vietnamese, for people)"),
    }),
    responseContent: {
      [CONTENT_TYPES.csv.split(";")[0]!]: { schema: { type: "string" } },
      [CONTENT_TYPES.xlsx]: { schema: { type: "string", format: "binary" } },
    },
    handler: async ({ query, principal, res }) => {
      checkIdentities(query.identities, principal);
      const resolved = await prepareExport(deps, query, query.format, principal.actor);
      res.status(200);
      res.setHeader("content-type", CONTENT_TYPES[query.format]);
      res.setHeader("content-disposition", `attachment; filename="${exportFileName(query.format)}"`);
      res.setHeader("cache-control", "no-store");
      try {
        await writeFeedbackExport(deps, resolved, { format: query.format, identities: query.identities, headers: query.headers }, res);
      } catch (err) {
        if (err instanceof OutputClosedError || res.destroyed) {
          ctx.logger.info({ format: query.format }, "feedback export: client went away");
          return;
        }
        throw err;
      }
    },
  });
}
