// Feedback export use case, shared by GET /api/v1/feedback/export and the CLI: resolve the
// filters, audit-log who asked for what, then stream batches through a table writer.
import type { Writable } from "node:stream";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { IdentityHasher } from "../identity.ts";
import type { ResolvedFilters } from "../stats/filters.ts";
import pg from "pg";
import { exportColumns, feedbackBatches, type BatchSource, resolveFilters, rowContext, rowValues, type FeedbackFilter } from "./feedback-rows.ts";
import { copyCsvExport, copyXlsxRows, sqlCsvBatches, sqlXlsxBatches } from "./sql-csv.ts";
import { csvHead, csvWriter, drained, endOutput, type HeaderLanguage } from "./writers.ts";
import { summarySheet } from "./summary.ts";
import { streamingXlsxWriter } from "./xlsx.ts";

export type ExportFormat = "csv" | "xlsx";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["csv", "xlsx"];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

export interface ExportDeps {
  prisma: PrismaClient;
  hasher: IdentityHasher;
  /** The PostgreSQL server's URL (absent on the embedded database): CSV then streams through COPY. */
  serverUrl?: string | undefined;
  /** SATISFACTION_TARGET, for the XLSX summary sheet (default 84). */
  target?: number;
}

/**
 * How the rows are produced, for both formats: `copy` (PostgreSQL COPY of rows rendered in
 * SQL), `sql` (the same rendering read in batches), `rows` (batches of rows formatted here).
 * `auto`: copy on a server, sql on the embedded database. All three write the same CSV bytes
 * and the same sheet XML (test/stats/export-paths.test.ts).
 */
export type RowsPath = "auto" | "copy" | "sql" | "rows";

/** Checks the filters (404 for unknown codes) and writes the audit row, before any byte is sent. */
export async function prepareExport(deps: ExportDeps, filter: FeedbackFilter, format: ExportFormat, actor: string): Promise<ResolvedFilters> {
  const resolved = await resolveFilters(deps.prisma, filter);
  await deps.prisma.auditLog.create({
    data: {
      actor,
      action: filter.identities ? "feedback.export.identities" : "feedback.export",
      target: `feedback:${format}`,
      details: { format, identities: filter.identities, filters: resolved.echo },
    },
  });
  return resolved;
}

/** Streams every matching response to `out` and ends it; returns the number of rows. */
export interface ExportOptions {
  format: ExportFormat;
  identities: boolean;
  /** Column headers: English names (default) or Vietnamese. */
  headers?: HeaderLanguage;
  batchSize?: number;
  rowsPath?: RowsPath;
}

export async function writeFeedbackExport(deps: ExportDeps, resolved: ResolvedFilters, opts: ExportOptions, out: Writable): Promise<number> {
  const columns = exportColumns(opts.identities);
  const headers = opts.headers ?? "en";
  const ctx = await rowContext(deps.prisma, deps.hasher, opts.identities);
  const path = opts.rowsPath === undefined || opts.rowsPath === "auto" ? (deps.serverUrl ? "copy" : "sql") : opts.rowsPath;
  if (path === "copy" && !deps.serverUrl) throw new Error("COPY needs a PostgreSQL server");
  if (opts.format === "csv") {
    const input = { f: resolved, columns, versions: ctx.versions, hasher: deps.hasher, head: csvHead(columns, headers) };
    if (path === "copy") return copyCsvExport(deps.serverUrl!, input, out);
    if (path === "sql") {
      let n = 0;
      out.write(input.head);
      for await (const batch of sqlCsvBatches(deps.prisma, input, opts.batchSize ?? 5000)) {
        out.write(batch.text);
        n += batch.rows;
        await drained(out);
      }
      await endOutput(out);
      return n;
    }
  }
  const summary = async () => [await summarySheet(deps.prisma, resolved, headers, deps.target ?? 84)];
  const sheetName = headers === "vi" ? "Phản hồi" : "feedback";
  if (opts.format === "xlsx" && path !== "rows") {
    const sheet = streamingXlsxWriter(out, columns, headers, sheetName, summary);
    const input = { f: resolved, columns, versions: ctx.versions, hasher: deps.hasher };
    let n = 0;
    if (path === "copy") n = await copyXlsxRows(deps.serverUrl!, input, (xml) => sheet.raw(xml, 0), out);
    else
      for await (const batch of sqlXlsxBatches(deps.prisma, input, opts.batchSize ?? 5000)) {
        await sheet.raw(batch.text, batch.rows);
        n += batch.rows;
      }
    await sheet.end(n);
    return n;
  }
  const writer = opts.format === "csv" ? csvWriter(out, columns, headers) : streamingXlsxWriter(out, columns, headers, sheetName, summary);
  let n = 0;
  // On a server the rows come through a plain pg client (several times faster than Prisma's raw queries).
  const client = deps.serverUrl ? new pg.Client({ connectionString: deps.serverUrl, application_name: "dossier-bot export" }) : null;
  try {
    if (client) await client.connect();
    const source = client ? (client as unknown as BatchSource) : deps.prisma;
    for await (const batch of feedbackBatches(source, resolved, opts.batchSize ?? 2000)) {
      await writer.rows(batch.map((r) => rowValues(columns, r, ctx)));
      n += batch.length;
    }
  } finally {
    await client?.end().catch(() => {});
  }
  await writer.end();
  return n;
}

export function exportFileName(format: ExportFormat, now = new Date()): string {
  const stamp = new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 16).replace(/[-:T]/g, "");
  return `feedback-${stamp}.${format}`;
}
