// Bulk dossier import (POST /api/v1/dossiers/import and the CLI): JSON array or CSV rows of
// the sync contract plus a `code`. All-or-nothing: every row is validated while the source
// streams in and the good ones go to a staging table (COPY FROM STDIN on PostgreSQL, batched
// INSERTs on the embedded database); only when no row is bad are they merged, in one
// transaction, by the same writer as PUT (src/core/dossier-writer.ts). Memory stays flat in
// the number of rows (about 100 bytes a row for duplicate detection). docs/import.md
// describes the formats and the error shape.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { finished, type Readable } from "node:stream";
import { CsvError, parse as csvParser, type Info as CsvInfo } from "csv-parse";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { WorkingCalendar } from "./calendar.ts";
import type { CalendarStore } from "./calendar-store.ts";
import { normalizeDossierCode } from "./dossier-code.ts";
import { dossierInputSchema } from "./dossier-schemas.ts";
import {
  auditWarnings,
  createStageSql,
  jsonSource,
  mergeDossiers,
  prismaSql,
  resolveCatalogue,
  STAGE_COLUMNS,
  stageRow,
  tableSource,
  warning,
  type CatalogueRequest,
  type CatalogueWarning,
  type Sql,
  type StagedDossier,
} from "./dossier-writer.ts";
import { prepareDossier, resolveAppointment, type StatusChange } from "./dossiers.ts";
import { AppError } from "./errors.ts";
import type { IdentityHasher } from "./identity.ts";

// ---------------------------------------------------------------------------------------
// Types

/** One row of an import source. `line` is what errors point at (CSV line, JSON array index). */
export interface ImportRow {
  line: number;
  code: unknown;
  input: unknown;
  /** Set by a row source when the row itself could not be read (e.g. wrong number of CSV cells). */
  error?: string;
}

export interface ImportError {
  line: number;
  /** The dossier code of the row (canonical when it could be normalised). */
  code?: string;
  /** Field path in the sync contract (JSON) or the column name (CSV). */
  field?: string;
  message: string;
}

export type ImportResult =
  | {
      ok: true;
      imported: number;
      created: number;
      updated: number;
      /** Existing dossiers whose status changed. */
      statusChanged: number;
      /** Status changes of linked dossiers (the only ones notices and surveys act on), told to onStatusChanged. */
      statusChanges: StatusChange[];
      /** Catalogue mismatches (at most 100 listed; warningCount counts them all). */
      warnings: CatalogueWarning[];
      warningCount: number;
    }
  | { ok: false; errors: ImportError[]; errorCount: number; rowsRead: number };

export interface ImportDeps {
  prisma: PrismaClient;
  calendar: CalendarStore;
  hasher: IdentityHasher;
  /** Called once per status change of an existing linked dossier, after the commit. */
  onStatusChanged?: (change: StatusChange) => Promise<void> | void;
  /** PostgreSQL server URL: rows are staged with COPY on a dedicated connection. Absent: batched path. */
  databaseUrl?: string | undefined;
}

export interface ImportOptions {
  /** Errors listed in the result (default 100); `errorCount` counts all of them. */
  maxErrors?: number;
  /** Rows accepted in one import (default 500 000). */
  maxRows?: number;
  /** Name fields by CSV column (applicantName) instead of contract path (applicant.name). */
  fieldNames?: "contract" | "csv";
  /** Instant used for statusAt / history / updatedAt (default: now). */
  now?: Date;
}

/** The source itself is unreadable from `line` on (unclosed quote, truncated JSON): reading stops. */
export class ImportSourceError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = "ImportSourceError";
  }
}

const TX_OPTIONS = { timeout: 10 * 60_000, maxWait: 60_000 };
/** pg_try_advisory_lock key of "an import is running" (one per database, across instances). */
const IMPORT_LOCK = 724310002;
const BUSY_MESSAGE = "Another dossier import is running on this server; try again when it has finished (imports run one at a time)";
/** Imports running in this process over an embedded database (it has no advisory locks across processes, nor needs them). */
const runningLocal = new WeakSet<object>();

// ---------------------------------------------------------------------------------------
// Validation state: units, fields and procedures referenced by the file

/** Lines of rows that depend on something only a later row (or nothing) may supply. */
interface Pending {
  lines: number[];
  count: number;
}
const PENDING_LINES_KEPT = 100;
function addPending(p: Pending, line: number): void {
  p.count++;
  if (p.lines.length < PENDING_LINES_KEPT) p.lines.push(line);
}

interface UnitEntry {
  code: string;
  /** Stored name (undefined: the unit is new). */
  stored: string | undefined;
  /** First name given in the file (used to create it). */
  name: string | undefined;
  parentCode: string | undefined;
  parentLine: number;
  unnamed: Pending;
}
interface FieldEntry {
  code: string;
  stored: string | undefined;
  name: string | undefined;
  unnamed: Pending;
}
interface ProcedureEntry {
  code: string;
  existing: boolean;
  storedName: string | undefined;
  dbDuration: number | null;
  storedField: string | null;
  name: string | undefined;
  /** First duration given in the file (creates the procedure, or fills a stored one that has none). */
  durationDays: number | undefined;
  fieldCode: string | undefined;
  unnamed: Pending;
  /** Rows without appointmentAt seen while no duration was known yet (computed at the end). */
  needsDuration: Pending;
}

const CSV_FIELD_OF: Record<string, string> = {
  applicant: "applicantName",
  "applicant.name": "applicantName",
  "applicant.phone": "applicantPhone",
  "applicant.idNumber": "applicantIdNumber",
};

// ---------------------------------------------------------------------------------------
// Staging: where validated rows wait for the merge

/** Validated rows go to a staging table; the merge (src/core/dossier-writer.ts) reads them from there. */
interface Stage {
  readonly table: string;
  write(row: StagedDossier): Promise<void>;
  /** All rows written: flush what is buffered. */
  finish(): Promise<void>;
  /** Connection holding the stage (for the pending-appointment pass). */
  readonly sql: Sql;
  /** Run the merge in one transaction on the stage's connection and commit it. */
  commit<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Drop everything (nothing is written). */
  abort(): Promise<void>;
  /** Always called last: release the import lock and the connection. */
  release(): Promise<void>;
}

const STAGE_COLUMN_LIST = STAGE_COLUMNS.map(([c]) => c).join(", ");

/** COPY text format: \N for NULL; backslash, tab and line breaks escaped. */
function copyValue(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  if (typeof v === "boolean") return v ? "t" : "f";
  if (typeof v === "number") return String(v);
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}
function copyLine(row: StagedDossier): string {
  let s = "";
  for (let i = 0; i < STAGE_COLUMNS.length; i++) s += (i ? "\t" : "") + copyValue(row[STAGE_COLUMNS[i]![0]]);
  return s + "\n";
}

/**
 * PostgreSQL: a dedicated connection holds the session advisory lock (one import at a time,
 * across instances), one transaction, a TEMP staging table filled by COPY FROM STDIN while the
 * source streams, and finally the merge.
 */
async function copyStage(url: string): Promise<Stage> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const locked = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [IMPORT_LOCK]).catch(async (err) => {
    await client.end();
    throw err;
  });
  if (!locked.rows[0]?.ok) {
    await client.end();
    throw new AppError("conflict", BUSY_MESSAGE);
  }
  const sql: Sql = { query: async <T,>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[] };
  const table = "dossier_stage";
  await client.query("BEGIN");
  // The merge statements are large and their cost estimates high: JIT compiling them costs
  // seconds and saves nothing for a statement run once.
  await client.query("SET LOCAL jit = off");
  await client.query(createStageSql(table));
  const copy = client.query(copyFrom(`COPY ${table} (${STAGE_COLUMN_LIST}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    copy.on("finish", resolve);
    copy.on("error", reject);
  });
  done.catch(() => {}); // observed in finish()/abort()
  let buffer = "";
  const flush = async () => {
    if (!buffer) return;
    const chunk = buffer;
    buffer = "";
    if (!copy.write(chunk)) await once(copy, "drain");
  };
  let open = true;
  return {
    table,
    sql,
    async write(row) {
      buffer += copyLine(row);
      if (buffer.length >= 256 * 1024) await flush();
    },
    async finish() {
      await flush();
      copy.end();
      open = false;
      await done;
      // Row counts and value statistics for the merge's join plans (a fresh temp table has none).
      await client.query(`ANALYZE ${table}`);
    },
    async commit(fn) {
      const out = await fn(sql);
      await client.query("COMMIT");
      return out;
    },
    async abort() {
      if (open) {
        open = false;
        copy.destroy(new Error("import aborted"));
        await done.catch(() => {});
      }
      await client.query("ROLLBACK").catch(() => {});
    },
    async release() {
      await client.query("SELECT pg_advisory_unlock($1)", [IMPORT_LOCK]).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

/**
 * Embedded database (or a server reached only through Prisma): a staging table filled with
 * multi-row INSERTs of 1000 rows (one jsonb parameter each) while the source streams; the merge
 * runs in one Prisma transaction. The table is a plain one (the embedded database has one
 * session, and autocommitted batches keep its other users from waiting for the upload).
 */
async function batchedStage(prisma: PrismaClient): Promise<Stage> {
  if (runningLocal.has(prisma)) throw new AppError("conflict", BUSY_MESSAGE);
  runningLocal.add(prisma);
  const table = `dossier_stage_${randomBytes(6).toString("hex")}`;
  const sql = prismaSql(prisma);
  try {
    await prisma.$executeRawUnsafe(`CREATE UNLOGGED TABLE ${table} (${STAGE_COLUMNS.map(([c, t]) => `${c} ${t}`).join(", ")})`);
  } catch (err) {
    runningLocal.delete(prisma);
    throw err;
  }
  let batch: StagedDossier[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const rows = JSON.stringify(batch);
    batch = [];
    await prisma.$executeRawUnsafe(`INSERT INTO ${table} ${jsonSource(1)}`, rows);
  };
  const drop = () => prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS ${table}`).catch(() => 0);
  return {
    table,
    sql,
    async write(row) {
      batch.push(row);
      if (batch.length >= 1000) await flush();
    },
    finish: flush,
    async commit(fn) {
      return prisma.$transaction((tx) => fn(prismaSql(tx)), TX_OPTIONS);
    },
    async abort() {
      batch = [];
    },
    async release() {
      await drop();
      runningLocal.delete(prisma);
    },
  };
}

// ---------------------------------------------------------------------------------------
// importDossiers

/**
 * Validates every row while `rows` streams and stages the good ones; only if no row is bad,
 * merges them all in one transaction through the same rules as PUT (src/core/dossier-writer.ts).
 * Units, fields and procedures are created from the first name/duration/field the file gives;
 * existing ones are never renamed or re-timed (a differing value is a warning). A row without
 * appointmentAt gets it from the procedure's duration (stored, else the first one in the file).
 * Nothing is written when any row is bad. At most one import runs at a time (409 otherwise).
 */
export async function importDossiers(deps: ImportDeps, rows: AsyncIterable<ImportRow>, actor: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const maxErrors = opts.maxErrors ?? 100;
  const maxRows = opts.maxRows ?? 500_000;
  const { prisma, hasher } = deps;

  const errors: ImportError[] = [];
  let errorCount = 0;
  const fail = (e: ImportError) => {
    errorCount++;
    if (errors.length < maxErrors) errors.push(e);
  };
  const label = (path: PropertyKey[]): string | undefined => {
    if (!path.length) return undefined;
    const p = path.map(String).join(".");
    return opts.fieldNames === "csv" ? (CSV_FIELD_OF[p] ?? p) : p;
  };

  const stage = deps.databaseUrl ? await copyStage(deps.databaseUrl) : await batchedStage(prisma);
  try {
    // What the database already has (small tables; read once).
    const [dbUnits, dbFields, dbProcedures, cal] = await Promise.all([
      prisma.unit.findMany({ select: { code: true, name: true } }),
      prisma.field.findMany({ select: { code: true, name: true } }),
      prisma.procedure.findMany({ select: { code: true, name: true, durationDays: true, field: { select: { code: true } } } }),
      deps.calendar.get(),
    ]);
    const knownUnits = new Map(dbUnits.map((u) => [u.code, u.name]));
    const knownFields = new Map(dbFields.map((f) => [f.code, f.name]));
    const knownProcedures = new Map(dbProcedures.map((p) => [p.code, p]));

    const units = new Map<string, UnitEntry>();
    const fields = new Map<string, FieldEntry>();
    const procedures = new Map<string, ProcedureEntry>();
    const warnings = new Map<string, CatalogueWarning>();
    let warningCount = 0;
    const warn = (w: CatalogueWarning) => {
      const key = `${w.kind}\u0000${w.code}\u0000${w.given}`;
      if (warnings.has(key)) return;
      warningCount++;
      if (warnings.size < 100) warnings.set(key, w);
    };
    let rowsRead = 0;
    let staged = 0;

    const unitEntry = (code: string): UnitEntry => {
      let u = units.get(code);
      if (!u) units.set(code, (u = { code, stored: knownUnits.get(code), name: undefined, parentCode: undefined, parentLine: 0, unnamed: { lines: [], count: 0 } }));
      return u;
    };
    const fieldEntry = (code: string): FieldEntry => {
      let f = fields.get(code);
      if (!f) fields.set(code, (f = { code, stored: knownFields.get(code), name: undefined, unnamed: { lines: [], count: 0 } }));
      return f;
    };
    const procedureEntry = (code: string): ProcedureEntry => {
      let p = procedures.get(code);
      if (!p) {
        const known = knownProcedures.get(code);
        p = {
          code,
          existing: known !== undefined,
          storedName: known?.name,
          dbDuration: known?.durationDays ?? null,
          storedField: known?.field?.code ?? null,
          name: undefined,
          durationDays: undefined,
          fieldCode: undefined,
          unnamed: { lines: [], count: 0 },
          needsDuration: { lines: [], count: 0 },
        };
        procedures.set(code, p);
      }
      return p;
    };

    const validate = async (row: ImportRow): Promise<void> => {
      const { line } = row;
      const before = errorCount;
      if (row.error !== undefined) {
        fail({ line, message: row.error });
        return;
      }
      let code: string | undefined;
      let codeLabel: string | undefined;
      if (typeof row.code !== "string" || row.code.trim() === "") {
        fail({ line, field: "code", message: "required" });
      } else {
        const r = normalizeDossierCode(row.code);
        codeLabel = r.ok ? r.code : row.code.slice(0, 60);
        if (!r.ok) fail({ line, code: codeLabel, field: "code", message: `not a valid dossier code (${r.reason})` });
        else code = r.code;
      }
      const parsed = dossierInputSchema.safeParse(row.input);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const message = issue.code === "invalid_type" && /received undefined$/.test(issue.message) ? "required" : issue.message;
          const field = label(issue.path);
          fail({ line, ...(codeLabel ? { code: codeLabel } : {}), ...(field ? { field } : {}), message });
        }
        return;
      }
      const input = parsed.data;
      // Units/fields/procedures are noted even when the code is bad: a row naming a new unit
      // still names it, so the other rows using that unit are not reported too.
      const unit = unitEntry(input.unitCode);
      if (input.unitName) {
        const reference = unit.stored ?? unit.name;
        if (reference !== undefined && reference !== input.unitName) warn(warning("unit.name", unit.code, reference, input.unitName));
        unit.name ??= input.unitName;
      } else if (unit.stored === undefined && unit.name === undefined) addPending(unit.unnamed, line);
      if (input.parentUnitCode && unit.parentCode === undefined) {
        unit.parentCode = input.parentUnitCode;
        unit.parentLine = line;
      }
      if (input.fieldCode) {
        const field = fieldEntry(input.fieldCode);
        if (input.fieldName) {
          const reference = field.stored ?? field.name;
          if (reference !== undefined && reference !== input.fieldName) warn(warning("field.name", field.code, reference, input.fieldName));
          field.name ??= input.fieldName;
        } else if (field.stored === undefined && field.name === undefined) addPending(field.unnamed, line);
      }
      const proc = procedureEntry(input.procedureCode);
      if (input.procedureName) {
        const reference = proc.storedName ?? proc.name;
        if (reference !== undefined && reference !== input.procedureName) warn(warning("procedure.name", proc.code, reference, input.procedureName));
        proc.name ??= input.procedureName;
      } else if (!proc.existing && proc.name === undefined) addPending(proc.unnamed, line);
      if (input.procedureDurationDays !== undefined) {
        const reference = proc.dbDuration ?? proc.durationDays;
        if (reference !== undefined && reference !== input.procedureDurationDays)
          warn(warning("procedure.durationDays", proc.code, reference, input.procedureDurationDays));
        proc.durationDays ??= input.procedureDurationDays;
      }
      if (input.fieldCode) {
        const reference = proc.storedField ?? proc.fieldCode;
        if (reference !== undefined && reference !== input.fieldCode) warn(warning("procedure.field", proc.code, reference, input.fieldCode));
        proc.fieldCode ??= input.fieldCode;
      }
      const duration = proc.dbDuration ?? proc.durationDays ?? null;
      if (!input.appointmentAt && duration === null) addPending(proc.needsDuration, line);

      const prepared = prepareDossier(code ?? "", input, hasher);
      if ("problems" in prepared) {
        for (const [path, message] of Object.entries(prepared.problems)) {
          const field = label(path.split("."));
          fail({ line, ...(codeLabel ? { code: codeLabel } : {}), ...(field ? { field } : {}), message });
        }
        return;
      }
      // Good rows are staged even after a bad one: duplicate codes are found among them (below).
      if (errorCount > before || !code) return;
      // Computed now when the duration is known; otherwise after the whole file (the row was noted above).
      const appointment = prepared.appointmentAt || duration !== null ? resolveAppointment(prepared, duration, cal) : null;
      await stage.write(stageRow(line, prepared, appointment));
      staged++;
    };

    try {
      for await (const row of rows) {
        if (rowsRead >= maxRows) {
          fail({ line: row.line, message: `too many rows: at most ${maxRows} per import` });
          break;
        }
        rowsRead++;
        await validate(row);
      }
    } catch (err) {
      if (!(err instanceof ImportSourceError)) throw err;
      fail({ line: err.line, message: err.message });
    }

    // Checks that needed the whole file.
    for (const u of units.values()) {
      if (u.stored === undefined && u.name === undefined) failPending(u.unnamed, `unknown unit ${u.code}: unitName is required to create it`, "unitName");
      if (u.stored === undefined && u.parentCode !== undefined) {
        const parent = units.get(u.parentCode);
        const parentKnown = knownUnits.has(u.parentCode) || (parent !== undefined && parent.name !== undefined);
        if (u.parentCode === u.code) fail({ line: u.parentLine, field: "parentUnitCode", message: `unit ${u.code} cannot be its own parent` });
        else if (!parentKnown) fail({ line: u.parentLine, field: "parentUnitCode", message: `unknown parent unit ${u.parentCode}` });
      }
    }
    for (const f of fields.values())
      if (f.stored === undefined && f.name === undefined) failPending(f.unnamed, `unknown field ${f.code}: fieldName is required to create it`, "fieldName");
    for (const p of procedures.values()) {
      if (!p.existing && p.name === undefined) failPending(p.unnamed, `unknown procedure ${p.code}: procedureName is required to create it`, "procedureName");
      if ((p.dbDuration ?? p.durationDays) === undefined)
        failPending(p.needsDuration, `appointmentAt is missing and procedure ${p.code} has no procedureDurationDays to compute it from`, "appointmentAt");
    }
    function failPending(p: Pending, message: string, field: string): void {
      for (const line of p.lines) fail({ line, field, message });
      errorCount += p.count - p.lines.length;
    }

    // Duplicate codes, found by the database among the staged rows (one per good row): a map of
    // every code kept here grew the process by ≈90 MB at 500,000 rows. A bad row's code is not
    // compared (its own error is reported).
    await stage.finish();
    const duplicates = await stage.sql.query<{ line: number; code: string; first: number; total: number }>(
      `SELECT line, code, first, count(*) OVER ()::int AS total
         FROM (SELECT line, code, min(line) OVER (PARTITION BY code) AS first FROM ${stage.table}) x
        WHERE line > first ORDER BY line LIMIT ${Math.max(1, Math.trunc(maxErrors))}`,
    );
    for (const d of duplicates) fail({ line: d.line, code: d.code, field: "code", message: `duplicate code: already on line ${d.first}` });
    if (duplicates.length) errorCount += duplicates[0]!.total - duplicates.length;

    if (errorCount) {
      await stage.abort();
      errors.sort((a, b) => a.line - b.line);
      return { ok: false, errors, errorCount, rowsRead };
    }
    await computePendingAppointments(stage, procedures, cal);

    const now = opts.now ?? new Date();
    const request: CatalogueRequest = { units: new Map(), fields: new Map(), procedures: new Map() };
    for (const u of units.values()) request.units.set(u.code, { name: u.name, parentCode: u.stored === undefined ? u.parentCode : undefined });
    for (const f of fields.values()) request.fields.set(f.code, { name: f.name });
    for (const p of procedures.values()) request.procedures.set(p.code, { name: p.name, durationDays: p.durationDays, fieldCode: p.fieldCode });
    const fileWarnings = [...warnings.values()];
    const written = await stage.commit(async (sql) => {
      // Stored values are compared again here (the catalogue may have changed meanwhile).
      const catalogue = await resolveCatalogue(sql, request, { now, actor });
      for (const w of catalogue.warnings) warn(w);
      if (fileWarnings.length) await auditWarnings(sql, fileWarnings, { actor });
      const merged = await mergeDossiers(sql, tableSource(stage.table), staged, {
        now,
        eventPrefix: `import:${now.toISOString()}:`,
        source: "import",
        changes: "linked",
      });
      await sql.query(`INSERT INTO "AuditLog" ("actor", "action", "details") VALUES ($1, 'dossier.import', $2::jsonb) RETURNING "id"::text`, [
        actor,
        JSON.stringify({ rows: staged, created: merged.created, updated: merged.updated, statusChanged: merged.statusChanged, warnings: warningCount }),
      ]);
      return merged;
    });
    for (const change of written.statusChanges) await deps.onStatusChanged?.(change);
    return { ok: true, imported: staged, ...written, warnings: [...warnings.values()], warningCount };
  } catch (err) {
    await stage.abort();
    throw err;
  } finally {
    await stage.release();
  }
}

/** Rows that waited for a duration given later in the file: their appointment, now that it is known. */
async function computePendingAppointments(stage: Stage, procedures: Map<string, ProcedureEntry>, cal: WorkingCalendar): Promise<void> {
  if (![...procedures.values()].some((p) => p.needsDuration.count > 0)) return;
  const rows = await stage.sql.query<{ line: number; receivedAt: string; procedureCode: string }>(
    `SELECT line, to_char(received_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "receivedAt", procedure_code AS "procedureCode"
       FROM ${stage.table} WHERE appointment_at IS NULL`,
  );
  const computed = rows.map((r) => {
    const p = procedures.get(r.procedureCode)!;
    const days = p.dbDuration ?? p.durationDays!;
    return { line: r.line, at: cal.appointmentDate(new Date(r.receivedAt), days).toISOString() };
  });
  for (let i = 0; i < computed.length; i += 5000)
    await stage.sql.query(
      `UPDATE ${stage.table} s SET appointment_at = v.at, appointment_computed = TRUE
         FROM jsonb_to_recordset($1::jsonb) AS v(line int, at timestamp(3)) WHERE s.line = v.line RETURNING s.line`,
      [JSON.stringify(computed.slice(i, i + 5000))],
    );
}

// ---------------------------------------------------------------------------------------
// Row sources

/** Iterate a stream without destroying it when the consumer stops early (an HTTP request
 * must stay open so that the error response can still be sent). */
function chunksOf(source: AsyncIterable<Uint8Array | string>): AsyncIterable<Uint8Array | string> {
  const s = source as Partial<Readable>;
  return typeof s.iterator === "function" ? (s.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array | string>) : source;
}

/** JSON elements larger than this are refused (a dossier row is well under 10 kB). */
const MAX_JSON_ELEMENT_CHARS = 1_000_000;

/**
 * Rows of a JSON array `[{ "code": "…", …sync contract… }, …]`, streamed: a small hand-written
 * splitter finds each top-level element (tracking strings, escapes and nesting) and parses it
 * alone, so the body is never held whole. `line` is the 1-based index of the element.
 */
export async function* jsonRows(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<ImportRow> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let state: "start" | "array" | "done" = "start";
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: string[] = [];
  let partsLength = 0;
  let index = 0;

  const element = (text: string, last: boolean): ImportRow | null => {
    const t = text.trim();
    if (t === "") {
      if (last && index === 0) return null; // []
      throw new ImportSourceError(index + 1, last ? "unexpected ']' after ',' in the JSON array" : "empty element (',,') in the JSON array");
    }
    index++;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch (err) {
      return { line: index, code: undefined, input: undefined, error: `not valid JSON: ${(err as Error).message}` };
    }
    const code = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as { code?: unknown }).code : undefined;
    return { line: index, code, input: value };
  };

  const scan = function* (chunk: string): Generator<ImportRow> {
    let i = 0;
    if (state === "start") {
      while (i < chunk.length && /\s/.test(chunk[i]!)) i++;
      if (i === chunk.length) return;
      if (chunk[i] !== "[") throw new AppError("bad_request", "The body must be a JSON array of dossiers: [{ \"code\": \"…\", … }, …]");
      state = "array";
      i++;
    }
    let segStart = i;
    for (; i < chunk.length; i++) {
      if (state === "done") {
        if (!/\s/.test(chunk[i]!)) throw new ImportSourceError(index + 1, "unexpected text after the end of the JSON array");
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c /* \ */) escaped = true;
        else if (c === 0x22 /* " */) inString = false;
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
      else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        if (depth > 0) depth--;
        else if (c === 0x5d) {
          const row = element(parts.join("") + chunk.slice(segStart, i), true);
          parts = [];
          partsLength = 0;
          state = "done";
          if (row) yield row;
        } else throw new ImportSourceError(index + 1, "unexpected '}' in the JSON array");
      } else if (c === 0x2c /* , */ && depth === 0) {
        const row = element(parts.join("") + chunk.slice(segStart, i), false);
        parts = [];
        partsLength = 0;
        segStart = i + 1;
        if (row) yield row;
      }
    }
    if (state === "array") {
      const rest = chunk.slice(segStart);
      parts.push(rest);
      partsLength += rest.length;
      if (partsLength > MAX_JSON_ELEMENT_CHARS) throw new ImportSourceError(index + 1, `element larger than ${MAX_JSON_ELEMENT_CHARS} characters`);
    }
  };

  try {
    for await (const chunk of chunksOf(source)) yield* scan(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    yield* scan(decoder.decode());
  } catch (err) {
    if (err instanceof TypeError && (err as { code?: string }).code === "ERR_ENCODING_INVALID_ENCODED_DATA")
      throw new ImportSourceError(index + 1, "the body is not valid UTF-8");
    throw err;
  }
  if (state === "start") throw new AppError("bad_request", "The body is empty: expected a JSON array of dossiers");
  if (state !== "done") throw new ImportSourceError(index + 1, "the JSON array is not closed (truncated body?)");
}

/** CSV columns, in the suggested order. */
export const CSV_COLUMNS = [
  "code",
  "unitCode",
  "unitName",
  "parentUnitCode",
  "fieldCode",
  "fieldName",
  "procedureCode",
  "procedureName",
  "procedureDurationDays",
  "applicantName",
  "applicantPhone",
  "applicantIdNumber",
  "receivedAt",
  "appointmentAt",
  "status",
  "returnMethod",
  "currentStep",
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
export const CSV_REQUIRED_COLUMNS: readonly CsvColumn[] = ["code", "unitCode", "procedureCode", "applicantName", "receivedAt", "status"];
const CSV_NUMERIC: ReadonlySet<CsvColumn> = new Set(["procedureDurationDays", "status"]);

/** Longest record (characters) csv-parse buffers: an unclosed quote fails here, not at end of memory. */
const MAX_CSV_RECORD_CHARS = 1_000_000;

/**
 * Rows of a UTF-8 CSV (optional BOM, header row with the {@link CSV_COLUMNS}), streamed through
 * csv-parse. Empty cells are absent values; `line` is the physical line where the record starts.
 * Header problems throw AppError("bad_request"); a malformed file throws ImportSourceError.
 */
export async function* csvRows(source: Readable): AsyncGenerator<ImportRow> {
  const parser = csvParser({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_CSV_RECORD_CHARS });
  finished(source, (err) => {
    if (err) parser.destroy(err);
  });
  source.pipe(parser);

  // Records are taken from 'data' events rather than the stream's async iterator: that one
  // throws as soon as the parser fails at the end (unclosed quote) and drops the records
  // still buffered, so the error would not come after the good lines.
  const queue: { record: string[]; info: CsvInfo }[] = [];
  let head = 0;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  parser.on("data", (r: { record: string[]; info: CsvInfo }) => {
    queue.push(r);
    if (queue.length - head >= 1000) parser.pause();
    notify();
  });
  parser.on("end", () => {
    ended = true;
    notify();
  });
  parser.on("error", (err) => {
    failure = err;
    ended = true;
    notify();
  });

  let header: (CsvColumn | undefined)[] | undefined;
  // csv-parse's info.lines miscounts CRLF inside quoted cells, so lines are counted here:
  // a record starts after the previous one and the empty lines skipped in between.
  let prevEnd = 0;
  let prevEmpty = 0;
  try {
    for (;;) {
      if (head === queue.length) {
        queue.length = head = 0;
        if (parser.isPaused()) parser.resume();
        if (ended) break;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const { record, info } = queue[head++]!;
      const line = prevEnd + 1 + (info.empty_lines - prevEmpty);
      prevEnd = line + lineBreaks(record);
      prevEmpty = info.empty_lines;
      if (!header) {
        header = readHeader(record);
        continue;
      }
      if (record.every((c) => c.trim() === "")) continue; // ",,,," lines from spreadsheets
      if (record.length !== header.length) {
        yield { line, code: undefined, input: undefined, error: `expected ${header.length} cells as in the header, found ${record.length}` };
        continue;
      }
      if (record.some((c) => c.includes("\uFFFD"))) {
        yield { line, code: undefined, input: undefined, error: "the line is not valid UTF-8 (save the file as \"CSV UTF-8\")" };
        continue;
      }
      const cells: Partial<Record<CsvColumn, string | number>> = {};
      header.forEach((col, i) => {
        const raw = record[i]!.trim();
        if (!col || raw === "") return;
        cells[col] = CSV_NUMERIC.has(col) && /^[+-]?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
      });
      yield { line, code: cells.code, input: csvInput(cells) };
    }
  } finally {
    source.unpipe(parser);
    parser.destroy();
  }
  if (failure) {
    const e = failure as { code?: string; message?: string; empty_lines?: number };
    // Every parser error (unclosed quote, a quote inside an unquoted cell, …) is the file's fault.
    if (failure instanceof CsvError || (typeof e.code === "string" && e.code.startsWith("CSV_"))) {
      const line = prevEnd + 1 + Math.max(0, (e.empty_lines ?? prevEmpty) - prevEmpty);
      throw new ImportSourceError(line, `malformed CSV: ${(e.message ?? e.code ?? "unreadable").replace(/ at line \d+/, "")}`);
    }
    throw failure;
  }
  if (!header) throw new AppError("bad_request", "The CSV is empty: expected a header row with " + CSV_COLUMNS.join(","));
}

function lineBreaks(record: string[]): number {
  let n = 0;
  for (const cell of record) {
    if (!cell.includes("\n") && !cell.includes("\r")) continue;
    n += cell.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return n;
}

function readHeader(record: string[]): CsvColumn[] {
  const byLower = new Map(CSV_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const unknown: string[] = [];
  const seenCols = new Set<CsvColumn>();
  const duplicate: string[] = [];
  const cols = record.map((name) => {
    const col = byLower.get(name.trim().toLowerCase());
    if (!col) unknown.push(name);
    else if (seenCols.has(col)) duplicate.push(col);
    else seenCols.add(col);
    return col!;
  });
  if (unknown.length)
    throw new AppError("bad_request", `Unknown CSV column(s): ${unknown.map((n) => JSON.stringify(n)).join(", ")}`, {
      unknownColumns: unknown,
      allowedColumns: CSV_COLUMNS,
    });
  if (duplicate.length) throw new AppError("bad_request", `Repeated CSV column(s): ${duplicate.join(", ")}`, { duplicateColumns: duplicate });
  const missing = CSV_REQUIRED_COLUMNS.filter((c) => !seenCols.has(c));
  if (missing.length) throw new AppError("bad_request", `Missing CSV column(s): ${missing.join(", ")}`, { missingColumns: missing, requiredColumns: CSV_REQUIRED_COLUMNS });
  return cols;
}

/** CSV cells → the sync contract (applicant columns become the nested object). */
function csvInput(c: Partial<Record<CsvColumn, string | number>>): Record<string, unknown> {
  return {
    unitCode: c.unitCode,
    unitName: c.unitName,
    parentUnitCode: c.parentUnitCode,
    fieldCode: c.fieldCode,
    fieldName: c.fieldName,
    procedureCode: c.procedureCode,
    procedureName: c.procedureName,
    procedureDurationDays: c.procedureDurationDays,
    applicant: { name: c.applicantName, phone: c.applicantPhone, idNumber: c.applicantIdNumber },
    receivedAt: c.receivedAt,
    appointmentAt: c.appointmentAt,
    status: c.status,
    returnMethod: c.returnMethod,
    currentStep: c.currentStep,
  };
}
