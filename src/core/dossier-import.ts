// Bulk dossier import (POST /api/v1/dossiers/import and the CLI): JSON array or CSV rows of
// the sync contract plus a `code`. All-or-nothing: every row is validated while the source
// streams in; only when no row is bad is everything written, in one transaction, with
// multi-row statements. docs/import.md describes the formats and the error shape.
import { finished, type Readable } from "node:stream";
import { parse as csvParser, type Info as CsvInfo } from "csv-parse";
import type { PrismaClient, Prisma } from "../generated/prisma/client.ts";
import type { WorkingCalendar } from "./calendar.ts";
import type { CalendarStore } from "./calendar-store.ts";
import { normalizeDossierCode } from "./dossier-code.ts";
import { dossierInputSchema } from "./dossier-schemas.ts";
import { prepareDossier, type PreparedDossier, type StatusChange } from "./dossiers.ts";
import { AppError } from "./errors.ts";
import type { IdentityHasher } from "./identity.ts";
import { DossierStatus, isFinished } from "./status.ts";

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
  | { ok: true; imported: number; created: number; updated: number; statusChanges: StatusChange[] }
  | { ok: false; errors: ImportError[]; errorCount: number; rowsRead: number };

export interface ImportDeps {
  prisma: PrismaClient;
  calendar: CalendarStore;
  hasher: IdentityHasher;
  /** Called once per status change of an existing dossier, after the commit. */
  onStatusChanged?: (change: StatusChange) => Promise<void> | void;
}

export interface ImportOptions {
  /** Dossier rows per INSERT statement (default 500; at most 23 parameters a row, 65 535 a statement). */
  batchSize?: number;
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

const MAX_PARAMS = 65_535;
const TX_OPTIONS = { timeout: 10 * 60_000, maxWait: 60_000 };

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
  existing: boolean;
  /** Last name given in the file. */
  name: string | undefined;
  parentCode: string | undefined;
  parentLine: number;
  unnamed: Pending;
}
interface FieldEntry {
  code: string;
  existing: boolean;
  name: string | undefined;
  unnamed: Pending;
}
interface ProcedureEntry {
  code: string;
  existing: boolean;
  dbDuration: number | null;
  name: string | undefined;
  /** Last duration given in the file; rows without their own duration use it (or the stored one). */
  durationDays: number | undefined;
  fieldCode: string | undefined;
  unnamed: Pending;
  /** Rows without appointmentAt nor own duration, seen while no duration was known yet. */
  needsDuration: Pending;
}

/**
 * A validated row kept until the write: a fixed-shape object with instants as numbers, sharing
 * the unit/procedure entries and repeated short strings (about 0.4 kB a row; no row text).
 */
class StagedRow {
  readonly code: string;
  readonly line: number;
  readonly unit: UnitEntry;
  readonly proc: ProcedureEntry;
  readonly ownDuration: number | undefined;
  readonly applicantName: string;
  readonly applicantPhone: string | null;
  readonly applicantIdHash: string | null;
  readonly applicantIdLast4Hash: string | null;
  readonly applicantIdMasked: string | null;
  readonly receivedAt: number;
  readonly appointmentAt: number | null;
  readonly status: number;
  readonly returnMethod: string | undefined;
  readonly currentStep: string | null | undefined;
  readonly feeStatus: string | undefined;
  readonly feeAmount: number | null | undefined;
  readonly supplementReason: string | null | undefined;
  readonly stopReason: string | null | undefined;
  readonly finishedAt: number | null | undefined;
  readonly returnedAt: number | null | undefined;
  readonly postalDelivered: boolean | null | undefined;

  constructor(p: PreparedDossier, line: number, unit: UnitEntry, proc: ProcedureEntry, intern: <T extends string | null | undefined>(s: T) => T) {
    const ms = (d: Date | null | undefined) => (d === undefined ? undefined : d === null ? null : d.getTime());
    this.code = p.code;
    this.line = line;
    this.unit = unit;
    this.proc = proc;
    this.ownDuration = p.procedure.durationDays;
    this.applicantName = p.applicantName;
    this.applicantPhone = p.applicantPhone;
    this.applicantIdHash = p.applicantIdHash;
    this.applicantIdLast4Hash = p.applicantIdLast4Hash;
    this.applicantIdMasked = intern(p.applicantIdMasked);
    this.receivedAt = p.receivedAt.getTime();
    this.appointmentAt = p.appointmentAt ? p.appointmentAt.getTime() : null;
    this.status = p.status;
    this.returnMethod = intern(p.returnMethod);
    this.currentStep = intern(p.currentStep);
    this.feeStatus = intern(p.feeStatus);
    this.feeAmount = p.feeAmount;
    this.supplementReason = p.supplementReason;
    this.stopReason = p.stopReason;
    this.finishedAt = ms(p.finishedAt);
    this.returnedAt = ms(p.returnedAt);
    this.postalDelivered = p.postalDelivered;
  }
}

const CSV_FIELD_OF: Record<string, string> = {
  applicant: "applicantName",
  "applicant.name": "applicantName",
  "applicant.phone": "applicantPhone",
  "applicant.idNumber": "applicantIdNumber",
};

// ---------------------------------------------------------------------------------------
// importDossiers

/**
 * Validates every row while `rows` streams, then (only if no row is bad) writes them all in
 * one transaction. Units, fields and procedures take the last name/duration/field given in
 * the file; a row without appointmentAt and without its own procedureDurationDays uses the
 * procedure's duration after the import. Nothing is written when any row is bad.
 */
export async function importDossiers(deps: ImportDeps, rows: AsyncIterable<ImportRow>, actor: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const maxErrors = opts.maxErrors ?? 100;
  const maxRows = opts.maxRows ?? 500_000;
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? 500, Math.floor((MAX_PARAMS - 1) / DOSSIER_COLUMNS.length)));
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

  // What the database already has (small tables; read once, outside the transaction).
  const [dbUnits, dbFields, dbProcedures, cal] = await Promise.all([
    prisma.unit.findMany({ select: { code: true } }),
    prisma.field.findMany({ select: { code: true } }),
    prisma.procedure.findMany({ select: { code: true, durationDays: true } }),
    deps.calendar.get(),
  ]);
  const knownUnits = new Set(dbUnits.map((u) => u.code));
  const knownFields = new Set(dbFields.map((f) => f.code));
  const knownProcedures = new Map(dbProcedures.map((p) => [p.code, p.durationDays]));

  const units = new Map<string, UnitEntry>();
  const fields = new Map<string, FieldEntry>();
  const procedures = new Map<string, ProcedureEntry>();
  /** canonical code → first line: duplicate detection (one entry per row, no row text). */
  const seen = new Map<string, number>();
  /** Validated rows; dropped at the first error (nothing will be written then). */
  let staged: StagedRow[] | null = [];
  let rowsRead = 0;
  /** One copy of repeated short strings (current step, masked ids, enum values). */
  const interned = new Map<string, string>();
  const intern = <T extends string | null | undefined>(v: T): T => {
    if (typeof v !== "string" || v.length > 300) return v;
    const got = interned.get(v);
    if (got !== undefined) return got as T;
    if (interned.size < 20_000) interned.set(v, v);
    return v;
  };

  const unitEntry = (code: string): UnitEntry => {
    let u = units.get(code);
    if (!u) units.set(code, (u = { code, existing: knownUnits.has(code), name: undefined, parentCode: undefined, parentLine: 0, unnamed: { lines: [], count: 0 } }));
    return u;
  };
  const fieldEntry = (code: string): FieldEntry => {
    let f = fields.get(code);
    if (!f) fields.set(code, (f = { code, existing: knownFields.has(code), name: undefined, unnamed: { lines: [], count: 0 } }));
    return f;
  };
  const procedureEntry = (code: string): ProcedureEntry => {
    let p = procedures.get(code);
    if (!p) {
      const existing = knownProcedures.has(code);
      p = {
        code,
        existing,
        dbDuration: existing ? (knownProcedures.get(code) ?? null) : null,
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

  const validate = (row: ImportRow): void => {
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
      else {
        code = r.code;
        const first = seen.get(code);
        if (first !== undefined) fail({ line, code, field: "code", message: `duplicate code: already on line ${first}` });
        else seen.set(code, line);
      }
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
    if (input.unitName) unit.name = input.unitName;
    else if (!unit.existing && unit.name === undefined) addPending(unit.unnamed, line);
    if (input.parentUnitCode) {
      unit.parentCode = input.parentUnitCode;
      unit.parentLine = line;
    }
    if (input.fieldCode) {
      const field = fieldEntry(input.fieldCode);
      if (input.fieldName) field.name = input.fieldName;
      else if (!field.existing && field.name === undefined) addPending(field.unnamed, line);
    }
    const proc = procedureEntry(input.procedureCode);
    if (input.procedureName) proc.name = input.procedureName;
    else if (!proc.existing && proc.name === undefined) addPending(proc.unnamed, line);
    if (input.procedureDurationDays !== undefined) proc.durationDays = input.procedureDurationDays;
    if (input.fieldCode) proc.fieldCode = input.fieldCode;
    if (!input.appointmentAt && input.procedureDurationDays === undefined && proc.durationDays === undefined && proc.dbDuration === null)
      addPending(proc.needsDuration, line);

    const prepared = prepareDossier(code ?? "", input, hasher);
    if ("problems" in prepared) {
      for (const [path, message] of Object.entries(prepared.problems)) {
        const field = label(path.split("."));
        fail({ line, ...(codeLabel ? { code: codeLabel } : {}), ...(field ? { field } : {}), message });
      }
      return;
    }
    if (errorCount > before || !code) return;
    if (staged) staged.push(new StagedRow(prepared, line, unit, proc, intern));
  };

  try {
    for await (const row of rows) {
      if (rowsRead >= maxRows) {
        fail({ line: row.line, message: `too many rows: at most ${maxRows} per import` });
        break;
      }
      rowsRead++;
      validate(row);
      if (errorCount) staged = null;
    }
  } catch (err) {
    if (!(err instanceof ImportSourceError)) throw err;
    fail({ line: err.line, message: err.message });
  }

  // Checks that needed the whole file.
  for (const u of units.values()) {
    if (!u.existing && u.name === undefined) failPending(u.unnamed, `unknown unit ${u.code}: unitName is required to create it`, "unitName");
    if (!u.existing && u.parentCode !== undefined) {
      const parent = units.get(u.parentCode);
      const parentKnown = knownUnits.has(u.parentCode) || (parent !== undefined && parent.name !== undefined);
      if (u.parentCode === u.code) fail({ line: u.parentLine, field: "parentUnitCode", message: `unit ${u.code} cannot be its own parent` });
      else if (!parentKnown) fail({ line: u.parentLine, field: "parentUnitCode", message: `unknown parent unit ${u.parentCode}` });
    }
  }
  for (const f of fields.values())
    if (!f.existing && f.name === undefined) failPending(f.unnamed, `unknown field ${f.code}: fieldName is required to create it`, "fieldName");
  for (const p of procedures.values()) {
    if (!p.existing && p.name === undefined) failPending(p.unnamed, `unknown procedure ${p.code}: procedureName is required to create it`, "procedureName");
    if ((p.durationDays ?? p.dbDuration) === null)
      failPending(p.needsDuration, `appointmentAt is missing and procedure ${p.code} has no procedureDurationDays to compute it from`, "appointmentAt");
  }
  function failPending(p: Pending, message: string, field: string): void {
    for (const line of p.lines) fail({ line, field, message });
    errorCount += p.count - p.lines.length;
  }

  if (errorCount || !staged) {
    errors.sort((a, b) => a.line - b.line);
    return { ok: false, errors, errorCount, rowsRead };
  }
  const rowsToWrite = staged;
  staged = null;

  const now = opts.now ?? new Date();
  const written = await prisma.$transaction(
    (tx) => writeAll(tx, { rows: rowsToWrite, units, fields, procedures, cal, now, actor, batchSize }),
    TX_OPTIONS,
  );
  for (const change of written.statusChanges) await deps.onStatusChanged?.(change);
  return { ok: true, imported: rowsToWrite.length, ...written };
}

// ---------------------------------------------------------------------------------------
// Writing (inside the one transaction)

type Tx = Prisma.TransactionClient;

interface WriteInput {
  rows: StagedRow[];
  units: Map<string, UnitEntry>;
  fields: Map<string, FieldEntry>;
  procedures: Map<string, ProcedureEntry>;
  cal: WorkingCalendar;
  now: Date;
  actor: string;
  batchSize: number;
}

interface OldDossier {
  id: number;
  code: string;
  status: number;
  statusAt: Date;
  returnMethod: string;
  currentStep: string | null;
  feeStatus: string;
  feeAmount: number | null;
  supplementReason: string | null;
  stopReason: string | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
  postalDelivered: boolean | null;
}

const DOSSIER_COLUMNS = [
  "code",
  "unitId",
  "procedureId",
  "applicantName",
  "applicantPhone",
  "applicantIdHash",
  "applicantIdLast4Hash",
  "applicantIdMasked",
  "receivedAt",
  "appointmentAt",
  "appointmentComputed",
  "originalAppointmentAt",
  "status",
  "statusAt",
  "currentStep",
  "returnMethod",
  "postalDelivered",
  "feeStatus",
  "feeAmount",
  "supplementReason",
  "stopReason",
  "finishedAt",
  "returnedAt",
] as const;
/** Values of the ReturnMethod and FeeStatus enums: safe to write as SQL literals. */
const ENUM_LITERALS: ReadonlySet<string> = new Set(["counter", "postal", "online", "none", "due", "paid"]);
/** Kept on update: the identity, the first appointment, and the columns the import never sets. */
const KEPT_ON_UPDATE = new Set(["code", "originalAppointmentAt"]);
const DOSSIER_UPSERT_HEAD =
  `INSERT INTO "Dossier" (${DOSSIER_COLUMNS.map((c) => `"${c}"`).join(", ")}, "updatedAt") VALUES `;
const DOSSIER_UPSERT_TAIL =
  ` ON CONFLICT ("code") DO UPDATE SET ` +
  [...DOSSIER_COLUMNS.filter((c) => !KEPT_ON_UPDATE.has(c)), "updatedAt"].map((c) => `"${c}" = EXCLUDED."${c}"`).join(", ") +
  ` RETURNING "id", "code", "status", ("xmax" = 0) AS "inserted"`;

async function writeAll(tx: Tx, w: WriteInput): Promise<{ created: number; updated: number; statusChanges: StatusChange[] }> {
  const fieldIds = await writeFields(tx, w.fields);
  const unitIds = await writeUnits(tx, w.units, w.now);
  const procIds = await writeProcedures(tx, w.procedures, fieldIds, w.now);

  let created = 0;
  let updated = 0;
  const statusChanges: StatusChange[] = [];
  const nowMs = w.now.getTime();
  const eventPrefix = `import:${w.now.toISOString()}:`;
  for (let start = 0; start < w.rows.length; start += w.batchSize) {
    const batch = w.rows.slice(start, start + w.batchSize);
    // Canonical codes are [0-9A-Z.-] only, so one comma-joined parameter carries the batch.
    const old = new Map<string, OldDossier>();
    for (const o of await tx.$queryRawUnsafe<OldDossier[]>(
      `SELECT "id", "code", "status", "statusAt", "returnMethod"::text AS "returnMethod", "currentStep", "feeStatus"::text AS "feeStatus",
              "feeAmount", "supplementReason", "stopReason", "finishedAt", "returnedAt", "postalDelivered"
         FROM "Dossier" WHERE "code" = ANY (string_to_array($1, ',')) FOR UPDATE`,
      batch.map((r) => r.code).join(","),
    ))
      old.set(o.code, o);

    // $1 is `now`; integers, booleans, NULL and enum values are written as literals, so a row
    // needs about 9 parameters instead of 23 (parameter binding dominates the cost).
    const params: unknown[] = [w.now];
    const value = (v: unknown): string => {
      if (v === null || v === undefined) return "NULL";
      if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
      if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
      if (typeof v === "string" && ENUM_LITERALS.has(v)) return `'${v}'`;
      params.push(v);
      return "$" + params.length;
    };
    const instant = (ms: number | Date | null): string => {
      if (ms === null) return "NULL";
      const t = typeof ms === "number" ? ms : ms.getTime();
      return t === nowMs ? "$1" : value(new Date(t));
    };
    const tuples: string[] = [];
    for (const r of batch) {
      const proc = procIds.get(r.proc.code)!;
      const duration = r.ownDuration ?? proc.durationDays;
      let appointmentAt = r.appointmentAt;
      let computed = false;
      if (appointmentAt === null) {
        if (duration === null) throw new AppError("conflict", `Procedure ${r.proc.code} lost its duration during the import; nothing was imported`);
        appointmentAt = w.cal.appointmentDate(new Date(r.receivedAt), duration).getTime();
        computed = true;
      }
      const o = old.get(r.code);
      const changed = !o || o.status !== r.status;
      // As in DossierService: 9 → 10 keeps the time the result was ready.
      const keepsFinish = o !== undefined && isFinished(o.status) && o.finishedAt !== null;
      const finishedAt = r.finishedAt !== undefined ? r.finishedAt : changed && isFinished(r.status) && !keepsFinish ? nowMs : (o?.finishedAt ?? null);
      const returnedAt = r.returnedAt !== undefined ? r.returnedAt : changed && r.status === DossierStatus.RETURNED ? nowMs : (o?.returnedAt ?? null);
      const appointment = instant(appointmentAt);
      // Same order as DOSSIER_COLUMNS.
      tuples.push(
        "(" +
          [
            value(r.code),
            value(unitIds.get(r.unit.code)!),
            value(proc.id),
            value(r.applicantName),
            value(r.applicantPhone),
            value(r.applicantIdHash),
            value(r.applicantIdLast4Hash),
            value(r.applicantIdMasked),
            instant(r.receivedAt),
            appointment,
            value(computed),
            appointment,
            value(r.status),
            o && !changed ? instant(o.statusAt) : "$1",
            value(r.currentStep !== undefined ? r.currentStep : (o?.currentStep ?? null)),
            value(r.returnMethod ?? o?.returnMethod ?? "counter"),
            value(r.postalDelivered !== undefined ? r.postalDelivered : (o?.postalDelivered ?? null)),
            value(r.feeStatus ?? o?.feeStatus ?? "none"),
            value(r.feeAmount !== undefined ? r.feeAmount : (o?.feeAmount ?? null)),
            value(r.supplementReason !== undefined ? r.supplementReason : (o?.supplementReason ?? null)),
            value(r.stopReason !== undefined ? r.stopReason : (o?.stopReason ?? null)),
            instant(finishedAt),
            instant(returnedAt),
            "$1",
          ].join(", ") +
          ")",
      );
    }
    const upserted = await tx.$queryRawUnsafe<{ id: number; code: string; status: number; inserted: boolean }[]>(
      DOSSIER_UPSERT_HEAD + tuples.join(",") + DOSSIER_UPSERT_TAIL,
      ...params,
    );

    // History: one row per created dossier or changed status (ids and statuses are integers).
    const byCode = new Map(batch.map((r) => [r.code, r]));
    const events: string[] = [];
    for (const u of upserted) {
      const o = old.get(u.code);
      if (u.inserted) created++;
      else updated++;
      if (!u.inserted && o && o.status === u.status) continue;
      events.push(`(${u.id}, ${u.status})`);
      if (!u.inserted && o) {
        const r = byCode.get(u.code);
        statusChanges.push({
          dossierId: u.id,
          code: u.code,
          from: o.status,
          to: u.status,
          at: w.now,
          eventId: eventPrefix + u.status,
          reason: r?.stopReason ?? r?.supplementReason ?? null,
        });
      }
    }
    if (events.length)
      await tx.$executeRawUnsafe(
        `INSERT INTO "DossierStatusEvent" ("dossierId", "eventId", "status", "at", "source", "applied")
         SELECT v.id, $2::text || v.status, v.status, $1::timestamp(3), 'import', TRUE FROM (VALUES ${events.join(",")}) v(id, status)
         ON CONFLICT ("dossierId", "eventId") DO NOTHING`,
        w.now,
        eventPrefix,
      );
  }

  await tx.auditLog.create({
    data: {
      actor: w.actor,
      action: "dossier.import",
      target: null,
      details: { rows: w.rows.length, created, updated, statusChanged: statusChanges.length },
    },
  });
  return { created, updated, statusChanges };
}

function placeholders(from: number, count: number): string {
  let s = "";
  for (let i = 0; i < count; i++) s += (i ? ", $" : "$") + (from + i);
  return s;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function writeFields(tx: Tx, fields: Map<string, FieldEntry>): Promise<Map<string, number>> {
  const named = [...fields.values()].filter((f) => f.name !== undefined);
  for (const part of chunks(named, 1000)) {
    const params = part.flatMap((f) => [f.code, f.name]);
    await tx.$executeRawUnsafe(
      `INSERT INTO "Field" ("code", "name") VALUES ${part.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(",")}
       ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name" WHERE "Field"."name" IS DISTINCT FROM EXCLUDED."name"`,
      ...params,
    );
  }
  const ids = new Map<string, number>();
  if (fields.size) for (const f of await tx.field.findMany({ where: { code: { in: [...fields.keys()] } }, select: { id: true, code: true } })) ids.set(f.code, f.id);
  for (const code of fields.keys()) if (!ids.has(code)) throw new AppError("conflict", `Field ${code} disappeared during the import; nothing was imported`);
  return ids;
}

async function writeUnits(tx: Tx, units: Map<string, UnitEntry>, now: Date): Promise<Map<string, number>> {
  const named = [...units.values()].filter((u) => u.name !== undefined);
  const inserted = new Set<string>();
  for (const part of chunks(named, 1000)) {
    const params: unknown[] = [now];
    for (const u of part) params.push(u.code, u.name);
    const rows = await tx.$queryRawUnsafe<{ code: string; inserted: boolean }[]>(
      `INSERT INTO "Unit" ("code", "name", "level", "updatedAt") VALUES ${part.map((_, i) => `($${2 * i + 2}, $${2 * i + 3}, 'ward', $1)`).join(",")}
       ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "updatedAt" = EXCLUDED."updatedAt" WHERE "Unit"."name" IS DISTINCT FROM EXCLUDED."name"
       RETURNING "code", ("xmax" = 0) AS "inserted"`,
      ...params,
    );
    for (const r of rows) if (r.inserted) inserted.add(r.code);
  }
  // As for PUT: the parent is only set when the unit is created.
  const withParent = named.filter((u) => inserted.has(u.code) && u.parentCode !== undefined);
  for (const part of chunks(withParent, 1000)) {
    const result = await tx.$executeRawUnsafe(
      `UPDATE "Unit" u SET "parentId" = p."id"
         FROM (VALUES ${part.map((_, i) => `($${2 * i + 1}::text, $${2 * i + 2}::text)`).join(",")}) v("code", "parent")
         JOIN "Unit" p ON p."code" = v."parent"
        WHERE u."code" = v."code"`,
      ...part.flatMap((u) => [u.code, u.parentCode]),
    );
    if (result !== part.length) throw new AppError("conflict", "A parent unit disappeared during the import; nothing was imported");
  }
  const ids = new Map<string, number>();
  if (units.size) for (const u of await tx.unit.findMany({ where: { code: { in: [...units.keys()] } }, select: { id: true, code: true } })) ids.set(u.code, u.id);
  for (const code of units.keys()) if (!ids.has(code)) throw new AppError("conflict", `Unit ${code} disappeared during the import; nothing was imported`);
  return ids;
}

async function writeProcedures(
  tx: Tx,
  procedures: Map<string, ProcedureEntry>,
  fieldIds: Map<string, number>,
  now: Date,
): Promise<Map<string, { id: number; durationDays: number | null }>> {
  const all = [...procedures.values()];
  const fieldId = (p: ProcedureEntry) => (p.fieldCode !== undefined ? fieldIds.get(p.fieldCode)! : null);
  // Named: create, or update what the file gives (an absent duration/field keeps the stored one).
  for (const part of chunks(
    all.filter((p) => p.name !== undefined),
    1000,
  )) {
    const params: unknown[] = [now];
    for (const p of part) params.push(p.code, p.name, p.durationDays ?? null, fieldId(p));
    await tx.$executeRawUnsafe(
      `INSERT INTO "Procedure" ("code", "name", "durationDays", "fieldId", "updatedAt")
       VALUES ${part.map((_, i) => `($${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4}, $${4 * i + 5}, $1)`).join(",")}
       ON CONFLICT ("code") DO UPDATE SET
         "name" = EXCLUDED."name",
         "durationDays" = COALESCE(EXCLUDED."durationDays", "Procedure"."durationDays"),
         "fieldId" = COALESCE(EXCLUDED."fieldId", "Procedure"."fieldId"),
         "updatedAt" = EXCLUDED."updatedAt"
       WHERE ("Procedure"."name", "Procedure"."durationDays", "Procedure"."fieldId")
             IS DISTINCT FROM (EXCLUDED."name", COALESCE(EXCLUDED."durationDays", "Procedure"."durationDays"), COALESCE(EXCLUDED."fieldId", "Procedure"."fieldId"))`,
      ...params,
    );
  }
  // Unnamed (so existing) but with a duration or field to update.
  for (const part of chunks(
    all.filter((p) => p.name === undefined && (p.durationDays !== undefined || p.fieldCode !== undefined)),
    1000,
  )) {
    const params: unknown[] = [now];
    for (const p of part) params.push(p.code, p.durationDays ?? null, fieldId(p));
    await tx.$executeRawUnsafe(
      `UPDATE "Procedure" p SET
         "durationDays" = COALESCE(v."durationDays", p."durationDays"),
         "fieldId" = COALESCE(v."fieldId", p."fieldId"),
         "updatedAt" = $1
         FROM (VALUES ${part.map((_, i) => `($${3 * i + 2}::text, $${3 * i + 3}::int, $${3 * i + 4}::int)`).join(",")}) v("code", "durationDays", "fieldId")
        WHERE p."code" = v."code"
          AND (p."durationDays", p."fieldId") IS DISTINCT FROM (COALESCE(v."durationDays", p."durationDays"), COALESCE(v."fieldId", p."fieldId"))`,
      ...params,
    );
  }
  const out = new Map<string, { id: number; durationDays: number | null }>();
  if (procedures.size)
    for (const p of await tx.procedure.findMany({ where: { code: { in: [...procedures.keys()] } }, select: { id: true, code: true, durationDays: true } }))
      out.set(p.code, { id: p.id, durationDays: p.durationDays });
  for (const code of procedures.keys()) if (!out.has(code)) throw new AppError("conflict", `Procedure ${code} disappeared during the import; nothing was imported`);
  return out;
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
    if (typeof e.code === "string" && e.code.startsWith("CSV_")) {
      const line = prevEnd + 1 + Math.max(0, (e.empty_lines ?? prevEmpty) - prevEmpty);
      throw new ImportSourceError(line, `malformed CSV: ${(e.message ?? e.code).replace(/ at line \d+/, "")}`);
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
