// What the dashboard receives from the API, typed from the server's own zod schemas (type
// imports only: nothing of the server ends up in the bundle). Optional routes (an older server
// may lack them) are feature-detected at run time from the OpenAPI document.
import type { z } from "zod";
import type { apiKeySchema, auditEntrySchema } from "../../core/admin.ts";
import type { dryRunSchema, broadcastSummarySchema, receiptSchema } from "../../core/broadcasts/schemas.ts";
import type { dossierViewSchema } from "../../core/dossier-schemas.ts";
import type { feedbackItemSchema } from "../../core/export/feedback-rows.ts";
import type { satisfactionReportSchema, satisfactionRowSchema } from "../../core/stats/satisfaction.ts";
import type { timelinessReportSchema, timelinessRowSchema } from "../../core/stats/timeliness.ts";
import type { broadcastDetailSchema, createdSchema } from "../../api/routes/broadcasts.ts";
import type { DossierListPage as FullDossierListPage, Me as MeFull } from "../../api/schemas/index.ts";
import type { atRiskItemSchema, atRiskListSchema } from "../../core/at-risk.ts";
import type { dossierListItemSchema } from "../../core/dossier-list.ts";
import type { lookupsSchema } from "../../core/lookups.ts";

export type Page<T> = { items: T[]; nextCursor: string | null };

export type SatisfactionReport = z.output<typeof satisfactionReportSchema>;
export type SatisfactionRow = z.output<typeof satisfactionRowSchema>;
export type TimelinessReport = z.output<typeof timelinessReportSchema>;
export type TimelinessRow = z.output<typeof timelinessRowSchema>;
export type DossierView = z.output<typeof dossierViewSchema>;
export type FeedbackItem = z.output<typeof feedbackItemSchema>;
export type BroadcastSummary = z.output<typeof broadcastSummarySchema>;
export type BroadcastDetail = z.output<typeof broadcastDetailSchema>;
export type Receipt = z.output<typeof receiptSchema>;
export type DryRun = z.output<typeof dryRunSchema>;
export type BroadcastCreated = z.output<typeof createdSchema>;
export type AuditEntry = z.output<typeof auditEntrySchema>;
export type ApiKey = z.output<typeof apiKeySchema>;

export type Role = "staff" | "analyst" | "admin";
export type UnitLevel = "province" | "district" | "ward" | "department";

/** GET /me (on an older server the page knows only the role). */
export type Me = Pick<MeFull, "role"> & Partial<Omit<MeFull, "role">>;
export type Lookups = z.output<typeof lookupsSchema>;
export type DossierListItem = z.output<typeof dossierListItemSchema>;
export type DossierListPage = FullDossierListPage;
export type AtRiskItem = z.output<typeof atRiskItemSchema>;
export type AtRiskList = z.output<typeof atRiskListSchema>;

/** A unit as the pickers know it. */
export type UnitRef = Lookups["units"][number];
