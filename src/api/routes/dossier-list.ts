// Drill-down for staff and analysts: the dossiers behind a count (GET /dossiers, paged or as
// CSV) and the lookups pickers need (GET /lookups). Registered before GET /dossiers/{code}.
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import {
  checkExportSize,
  countDossierList,
  DOSSIER_LIST_COLUMNS,
  dossierListFilterSchema,
  dossierListItem,
  dossierListItemSchema,
  dossierListKeySchema,
  fetchDossierList,
  resolveListFilter,
  type DossierListItem,
  type DossierListRow,
} from "../../core/dossier-list.ts";
import { atRiskDossiers, atRiskListSchema, atRiskQuerySchema } from "../../core/at-risk.ts";
import { csvWriter, OutputClosedError } from "../../core/export/writers.ts";
import { lookups, lookupsSchema } from "../../core/lookups.ts";
import { t } from "../../core/i18n/index.ts";
import type { ApiRoutes } from "../http.ts";
import { pageSchema, paginate, paginationQuery } from "../pagination.ts";

export const dossierListQuerySchema = paginationQuery.extend(dossierListFilterSchema.shape).extend({
  format: z.enum(["json", "csv"]).default("json").describe("csv: every matching dossier as a CSV download (UTF-8 with BOM), no paging"),
  headers: z.enum(["en", "vi"]).default("en").describe("CSV column headers and labels in English (field names) or Vietnamese"),
});

export const dossierListPageSchema = pageSchema(dossierListItemSchema, "DossierListPage").extend({
  total: z.int().nullable().describe("How many dossiers match (first page only; null on later pages)"),
});

const STATE_VI: Record<DossierListItem["timeliness"]["state"], string> = {
  on_time: "Đúng hạn",
  late: "Trễ hạn",
  open: "Trong hạn",
  overdue: "Quá hạn",
};

export function dossierListRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/dossiers",
    summary:
      "Dossiers behind a count: filter by unit (with the units below), field, procedure, status, late / openPastDue / finishedLate, rating and a date range on received / finished / appointment; newest received first; no identity fields; format=csv downloads all",
    tags: ["dossiers"],
    roles: ["staff", "analyst"],
    query: dossierListQuerySchema,
    response: dossierListPageSchema,
    responseContent: {
      "application/json": { schema: { $ref: "#/components/schemas/DossierListPage" } },
      "text/csv": { schema: { type: "string" } },
    },
    handler: async ({ query, res }) => {
      const r = await resolveListFilter(ctx.prisma, query);
      const cal = await ctx.calendar.get();
      if (query.format === "csv") {
        const total = await countDossierList(ctx.prisma, r);
        checkExportSize(total);
        const vi = query.headers === "vi";
        res.status(200);
        res.setHeader("content-type", "text/csv; charset=utf-8");
        res.setHeader("content-disposition", `attachment; filename="dossiers-${new Date().toISOString().slice(0, 10)}.csv"`);
        res.setHeader("cache-control", "no-store");
        const writer = csvWriter(
          res,
          DOSSIER_LIST_COLUMNS.map((c) => ({ header: c.en, vi: c.vi, type: c.type, width: 20 })),
          vi ? "vi" : "en",
        );
        try {
          let after: [string, number] | undefined;
          for (;;) {
            const rows = await fetchDossierList(ctx.prisma, r, after, 1000);
            if (!rows.length) break;
            const items = rows.map((row) => dossierListItem(row, cal, r.asOf));
            await writer.rows(
              items.map((i) =>
                DOSSIER_LIST_COLUMNS.map((c) => {
                  if (vi && c.key === "statusName") return t("vi", `status-${i.statusName}`);
                  if (vi && c.key === "timeliness") return STATE_VI[i.timeliness.state];
                  return c.value(i);
                }),
              ),
            );
            const last = rows[rows.length - 1]!;
            after = [last.received_at.toISOString(), last.id];
            if (rows.length < 1000) break;
          }
          await writer.end();
        } catch (err) {
          if (err instanceof OutputClosedError || res.destroyed) return;
          throw err;
        }
        return;
      }
      const page = await paginate<DossierListRow, [string, number]>(
        query,
        dossierListKeySchema,
        (row) => [row.received_at.toISOString(), row.id] as [string, number],
        (after, take) => fetchDossierList(ctx.prisma, r, after, take),
      );
      return {
        items: page.items.map((row) => dossierListItem(row, cal, r.asOf)),
        nextCursor: page.nextCursor,
        total: query.cursor ? null : await countDossierList(ctx.prisma, r),
      };
    },
  });

  api.add({
    method: "get",
    path: "/lookups",
    summary: "Units (tree, with names), fields, procedures, statuses and channels with Vietnamese and English labels, for pickers",
    tags: ["lookups"],
    roles: ["staff", "analyst"],
    response: lookupsSchema,
    handler: async () => lookups(ctx.prisma, ctx.config.satisfactionTarget),
  });

  api.add({
    method: "get",
    path: "/dossiers/at-risk",
    summary:
      "Open dossiers likely to miss their appointment, most at risk first, with the reason (how long the same procedure usually takes at the unit vs the working days left); docs/at-risk.md",
    tags: ["dossiers"],
    roles: ["staff", "analyst"],
    query: atRiskQuerySchema,
    response: atRiskListSchema,
    handler: async ({ query }) => atRiskDossiers(ctx.prisma, await ctx.calendar.get(), query),
  });
}
