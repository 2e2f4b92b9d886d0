// What the dashboard receives from the API, typed from the server's own zod schemas (type
// imports only: nothing of the server ends up in the bundle). Shapes of routes that a server
// may not have yet (older versions) are declared here and feature-detected at run time.
import type { z } from "zod";
import type { apiKeySchema, auditEntrySchema } from "../../core/admin.ts";
import type { dryRunSchema, broadcastSummarySchema, receiptSchema } from "../../core/broadcasts/schemas.ts";
import type { dossierViewSchema } from "../../core/dossier-schemas.ts";
import type { feedbackItemSchema } from "../../core/export/feedback-rows.ts";
import type { satisfactionReportSchema, satisfactionRowSchema } from "../../core/stats/satisfaction.ts";
import type { timelinessReportSchema, timelinessRowSchema } from "../../core/stats/timeliness.ts";
import type { broadcastDetailSchema, createdSchema } from "../../api/routes/broadcasts.ts";

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

/** GET /me */
export interface Me {
  role: Role;
  keyName?: string;
  name?: string;
  actor?: string;
  can?: Partial<Record<string, boolean>>;
}

/** GET /lookups */
export interface Lookups {
  units: { code: string; name: string; level: UnitLevel; parentCode: string | null; demo?: boolean }[];
  fields: { code: string; name: string }[];
  procedures: { code: string; name: string; fieldCode: string | null; durationDays: number | null }[];
  satisfactionTarget?: number;
}

/** GET /dossiers (the list behind a count) */
export interface DossierListItem {
  code: string;
  unit: { code: string; name: string };
  field: { code: string; name: string } | null;
  procedure: { code: string; name: string; durationDays: number | null };
  status: number;
  receivedAt: string;
  appointmentAt: string;
  finishedAt: string | null;
  timeliness: { state: "on_time" | "late" | "open" | "overdue"; workingDaysLeft: number | null };
  supplementCount: number;
  supplementReason: string | null;
  stopReason: string | null;
  demo: boolean;
}
export type DossierListPage = Page<DossierListItem> & { total?: number | null };

/** GET /dossiers/at-risk */
export interface AtRiskItem {
  code: string;
  unit?: { code: string; name: string };
  procedure?: { code: string; name: string };
  status?: number;
  appointmentAt?: string;
  workingDaysLeft?: number | null;
  risk?: number;
  probability?: number;
  typicalWorkingDays?: number | null;
  reason?: string | { vi: string; en: string };
}

/** A unit as the pickers know it. */
export type UnitRef = Lookups["units"][number];
