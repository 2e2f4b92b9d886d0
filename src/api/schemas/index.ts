// The API's request and response shapes in one place, for typed clients (the dashboard's api
// client imports types from here: `import type { DossierListPage } from "…/api/schemas/index.ts"`).
// Every schema lives next to the code that produces it; this module only gathers them.
import type { z } from "zod";
import type { dossierListPageSchema, dossierListQuerySchema } from "../routes/dossier-list.ts";

export { errorBodySchema } from "../http.ts";
export { meSchema, AREAS, type Me, type Area } from "./me.ts";
export { dossierViewSchema, dossierInputSchema, statusEventSchema, type DossierView, type DossierInput, type StatusEventInput } from "../../core/dossier-schemas.ts";
export { dossierListItemSchema, dossierListFilterSchema, type DossierListItem, type DossierListFilter } from "../../core/dossier-list.ts";
export { dossierListPageSchema, dossierListQuerySchema } from "../routes/dossier-list.ts";
export { lookupsSchema, type Lookups } from "../../core/lookups.ts";
export { satisfactionQuerySchema, satisfactionReportSchema, type SatisfactionReport, type SatisfactionQuery } from "../../core/stats/satisfaction.ts";
export { timelinessQuerySchema, timelinessReportSchema, type TimelinessReport, type TimelinessQuery } from "../../core/stats/timeliness.ts";
export {
  trendQuerySchema,
  trendSchema,
  heatmapQuerySchema,
  heatmapSchema,
  wardTimelinessQuerySchema,
  wardTimelinessSchema,
  type Trend,
  type Heatmap,
  type WardTimeliness,
} from "../../core/stats/charts.ts";
export { broadcastInputSchema, broadcastSummarySchema, dryRunSchema, receiptSchema, type BroadcastInput, type BroadcastSummary, type Receipt } from "../../core/broadcasts/schemas.ts";

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };
export type DossierListPage = z.infer<typeof dossierListPageSchema>;
export type DossierListQuery = z.input<typeof dossierListQuerySchema>;
