// POST /api/v1/dossiers/import: bulk upsert from a JSON array or a CSV file, all-or-nothing.
// The body is streamed (the app skips its JSON parser for this path); see docs/import.md.
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { CSV_COLUMNS, CSV_REQUIRED_COLUMNS, csvRows, importDossiers, jsonRows, type ImportDeps } from "../../core/dossier-import.ts";
import { catalogueWarningSchema, dossierInputSchema } from "../../core/dossier-schemas.ts";
import { AppError } from "../../core/errors.ts";
import { sendError, type ApiRoutes } from "../http.ts";

const importRowSchema = z
  .object({ code: z.string().min(1).max(100).describe("Dossier code, e.g. 000.00.15.H32-230112-0001") })
  .extend(dossierInputSchema.shape);

function jsonSchema(s: z.ZodType): unknown {
  const json = z.toJSONSchema(s, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

export const importResultSchema = z.object({
  imported: z.int().describe("Rows written"),
  created: z.int(),
  updated: z.int(),
  statusChanged: z.int().describe("Existing dossiers whose status changed (recorded in their history)"),
  warnings: z.array(catalogueWarningSchema).describe("Catalogue mismatches, at most 100 (the catalogue is not changed)"),
  warningCount: z.int(),
});

export function importRoutes(api: ApiRoutes, ctx: AppContext): void {
  const deps: ImportDeps = {
    prisma: ctx.prisma,
    calendar: ctx.calendar,
    hasher: ctx.hasher,
    onStatusChanged: (c) => ctx.statusEvents.emit(c),
    databaseUrl: ctx.db.kind === "server" ? ctx.db.url : undefined,
  };

  api.add({
    method: "post",
    path: "/dossiers/import",
    summary:
      "Bulk create/update dossiers from a JSON array or a CSV file. All-or-nothing: when any row is bad nothing is written and the " +
      "response (422) lists the errors with their line (CSV: line in the file; JSON: 1-based array index).",
    tags: ["dossiers"],
    roles: ["staff"],
    requestContent: {
      "application/json": { schema: { type: "array", items: jsonSchema(importRowSchema) } },
      "text/csv": {
        schema: {
          type: "string",
          description:
            `UTF-8 (BOM allowed), comma-separated, header row. Columns: ${CSV_COLUMNS.join(",")}. ` +
            `Required: ${CSV_REQUIRED_COLUMNS.join(", ")}. Empty cell = absent.`,
        },
      },
    },
    response: importResultSchema,
    handler: async ({ req, res, principal }) => {
      const type = req.is(["application/json", "text/csv"]);
      if (type !== "application/json" && type !== "text/csv") {
        res.setHeader("Connection", "close");
        return sendError(res, 415, "unsupported_media_type", "Send the dossiers as application/json (an array) or text/csv");
      }
      const charset = /;\s*charset=("?)([^";]+)\1/i.exec(req.get("content-type") ?? "")?.[2];
      if (charset && !/^utf-?8$/i.test(charset)) {
        res.setHeader("Connection", "close");
        return sendError(res, 415, "unsupported_media_type", `Only UTF-8 is accepted (got charset=${charset})`);
      }
      const csv = type === "text/csv";
      try {
        const out = await importDossiers(deps, csv ? csvRows(req) : jsonRows(req), principal.actor, { fieldNames: csv ? "csv" : "contract" });
        if (!out.ok)
          throw new AppError(
            "validation_failed",
            `${out.errorCount} error(s) in ${out.rowsRead} row(s); nothing was imported`,
            { errors: out.errors, errorCount: out.errorCount, rowsRead: out.rowsRead },
          );
        return {
          imported: out.imported,
          created: out.created,
          updated: out.updated,
          statusChanged: out.statusChanged,
          warnings: out.warnings,
          warningCount: out.warningCount,
        };
      } finally {
        // Stopped before the end (bad header, unreadable CSV): drop the rest, then the connection.
        if (!req.readableEnded) {
          res.setHeader("Connection", "close");
          req.resume();
        }
      }
    },
  });
}
