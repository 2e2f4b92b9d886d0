// The one writer of dossier sync rows. PUT /api/v1/dossiers/{code} (one row), the bulk import
// on PGlite (batches) and the bulk import on PostgreSQL (a COPY-filled staging table) all
// end here: the same catalogue rules (resolveCatalogue) and the same set-based merge
// (mergeDossiers), whose SQL is the only statement of how a synced row becomes a dossier —
// status history, statusAt, finishedAt/returnedAt, kept-when-absent fields.
//
// Concurrency: mergeDossiers updates existing rows first, under `SELECT … FOR UPDATE` so that
// the old status it compares with is the newest committed one (N writers of one status change
// → one history row), then inserts the missing ones with ON CONFLICT DO NOTHING; a row created
// meanwhile by another writer is picked up by a second round instead of failing on the unique
// key. Single-dossier writers (PUT, events, apology) also take lockDossier() first, so that
// their `now` is read after the previous writer committed and the history stays in order.
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import type { PreparedDossier, StatusChange } from "./dossiers.ts";
import { AppError } from "./errors.ts";

/** What the writer needs from a connection: Prisma (PUT, PGlite) or a pg client (COPY import). */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export function prismaSql(db: Prisma.TransactionClient | PrismaClient): Sql {
  return { query: <T,>(text: string, params: unknown[] = []) => db.$queryRawUnsafe<T[]>(text, ...params) };
}

/** Serialise writers of one dossier (existing or about to be created) until the transaction ends. */
export async function lockDossier(sql: Sql, code: string): Promise<void> {
  await sql.query(`SELECT pg_advisory_xact_lock(hashtext($1))::text AS locked`, ["dossier:" + code]);
}

// ------------------------------------------------------------------------------ staged rows

/** Bits of StagedDossier.given: an optional field the source gave (a given null clears it). */
export const GIVEN = {
  returnMethod: 1,
  currentStep: 2,
  feeStatus: 4,
  feeAmount: 8,
  supplementReason: 16,
  stopReason: 32,
  finishedAt: 64,
  returnedAt: 128,
  postalDelivered: 256,
} as const;

/** A validated sync row as the merge reads it (also the staging table's row; instants as ISO strings). */
export interface StagedDossier {
  line: number;
  code: string;
  unit_code: string;
  procedure_code: string;
  applicant_name: string;
  applicant_phone: string | null;
  id_hash: string | null;
  id_last4_hash: string | null;
  id_masked: string | null;
  received_at: string;
  appointment_at: string | null;
  appointment_computed: boolean;
  status: number;
  given: number;
  return_method: string | null;
  current_step: string | null;
  fee_status: string | null;
  fee_amount: number | null;
  supplement_reason: string | null;
  stop_reason: string | null;
  finished_at: string | null;
  returned_at: string | null;
  postal_delivered: boolean | null;
}

/** Staging columns in order, with their SQL types (COPY column order, jsonb_to_recordset definition). */
export const STAGE_COLUMNS: readonly (readonly [keyof StagedDossier, string])[] = [
  ["line", "int"],
  ["code", "text"],
  ["unit_code", "text"],
  ["procedure_code", "text"],
  ["applicant_name", "text"],
  ["applicant_phone", "text"],
  ["id_hash", "text"],
  ["id_last4_hash", "text"],
  ["id_masked", "text"],
  ["received_at", "timestamp(3)"],
  ["appointment_at", "timestamp(3)"],
  ["appointment_computed", "boolean"],
  ["status", "int"],
  ["given", "int"],
  ["return_method", "text"],
  ["current_step", "text"],
  ["fee_status", "text"],
  ["fee_amount", "int"],
  ["supplement_reason", "text"],
  ["stop_reason", "text"],
  ["finished_at", "timestamp(3)"],
  ["returned_at", "timestamp(3)"],
  ["postal_delivered", "boolean"],
];
const STAGE_DEFINITION = STAGE_COLUMNS.map(([c, t]) => `${c} ${t}`).join(", ");

/** CREATE TEMP TABLE for an import's rows (dropped at commit/rollback). */
export function createStageSql(table: string): string {
  return `CREATE TEMP TABLE ${table} (${STAGE_DEFINITION}) ON COMMIT DROP`;
}

/** Source of the merge: rows passed as one jsonb parameter. */
export function jsonSource(param: number): string {
  return `SELECT * FROM jsonb_to_recordset($${param}::jsonb) AS s(${STAGE_DEFINITION})`;
}
/** Source of the merge: a staging table. */
export function tableSource(table: string): string {
  return `SELECT * FROM ${table}`;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The staged form of a prepared row; `appointment` is null while it still has to be computed. */
export function stageRow(line: number, p: PreparedDossier, appointment: { at: Date; computed: boolean } | null): StagedDossier {
  let given = 0;
  const take = <T,>(bit: number, v: T | undefined): T | null => {
    if (v === undefined) return null;
    given |= bit;
    return v;
  };
  const optional = {
    return_method: take(GIVEN.returnMethod, p.returnMethod),
    current_step: take(GIVEN.currentStep, p.currentStep),
    fee_status: take(GIVEN.feeStatus, p.feeStatus),
    fee_amount: take(GIVEN.feeAmount, p.feeAmount),
    supplement_reason: take(GIVEN.supplementReason, p.supplementReason),
    stop_reason: take(GIVEN.stopReason, p.stopReason),
    finished_at: iso(take(GIVEN.finishedAt, p.finishedAt)),
    returned_at: iso(take(GIVEN.returnedAt, p.returnedAt)),
    postal_delivered: take(GIVEN.postalDelivered, p.postalDelivered),
  };
  return {
    line,
    code: p.code,
    unit_code: p.unit.code,
    procedure_code: p.procedure.code,
    applicant_name: p.applicantName,
    applicant_phone: p.applicantPhone,
    id_hash: p.applicantIdHash,
    id_last4_hash: p.applicantIdLast4Hash,
    id_masked: p.applicantIdMasked,
    received_at: p.receivedAt.toISOString(),
    appointment_at: appointment ? appointment.at.toISOString() : null,
    appointment_computed: appointment?.computed ?? false,
    status: p.status,
    given,
    ...optional,
  };
}

// ------------------------------------------------------------------------------ catalogue

/** What a set of rows says about units, fields and procedures (the first value given wins). */
export interface CatalogueRequest {
  units: Map<string, { name?: string | undefined; parentCode?: string | undefined }>;
  fields: Map<string, { name?: string | undefined }>;
  procedures: Map<string, { name?: string | undefined; durationDays?: number | undefined; fieldCode?: string | undefined }>;
}

export type CatalogueWarningKind = "unit.name" | "field.name" | "procedure.name" | "procedure.durationDays" | "procedure.field";

/** A dossier write named an existing catalogue entry differently: kept as stored, reported. */
export interface CatalogueWarning {
  kind: CatalogueWarningKind;
  code: string;
  stored: string | number | null;
  given: string | number | null;
  message: string;
}

export function warning(kind: CatalogueWarningKind, code: string, stored: string | number | null, given: string | number | null): CatalogueWarning {
  const what = kind === "procedure.durationDays" ? "duration" : kind === "procedure.field" ? "field" : "name";
  const entity = kind.split(".")[0];
  return {
    kind,
    code,
    stored,
    given,
    message: `${entity} ${code} keeps its ${what} ${JSON.stringify(stored)} (given ${JSON.stringify(given)}): the catalogue is changed only through the admin API`,
  };
}

/**
 * Creates the units, fields and procedures the rows name that do not exist yet (ON CONFLICT DO
 * NOTHING: concurrent creators never fail), fills a procedure's missing duration or field, and
 * never renames or re-times an existing entry: a differing value becomes a warning, audit-logged.
 * Returns each requested procedure's duration after the write.
 */
export async function resolveCatalogue(
  sql: Sql,
  req: CatalogueRequest,
  ctx: { now: Date; actor: string; target?: string },
): Promise<{ warnings: CatalogueWarning[]; durations: Map<string, number | null> }> {
  const now = ctx.now.toISOString();
  const warnings: CatalogueWarning[] = [];
  const missing: Record<string, string> = {};

  if (req.fields.size) {
    const v = JSON.stringify([...req.fields].map(([code, f]) => ({ code, name: f.name ?? null })));
    await sql.query(
      `INSERT INTO "Field" ("code", "name") SELECT v.code, v.name FROM jsonb_to_recordset($1::jsonb) AS v(code text, name text)
        WHERE v.name IS NOT NULL ORDER BY v.code ON CONFLICT ("code") DO NOTHING`,
      [v],
    );
    const rows = await sql.query<{ code: string; stored: string | null; given: string | null }>(
      `SELECT v.code, f."name" AS stored, v.name AS given FROM jsonb_to_recordset($1::jsonb) AS v(code text, name text) LEFT JOIN "Field" f ON f."code" = v.code`,
      [v],
    );
    for (const r of rows) {
      if (r.stored === null) missing.fieldName = `unknown field ${r.code}: fieldName is required to create it`;
      else if (r.given !== null && r.given !== r.stored) warnings.push(warning("field.name", r.code, r.stored, r.given));
    }
  }

  if (req.units.size) {
    const v = JSON.stringify([...req.units].map(([code, u]) => ({ code, name: u.name ?? null, parent: u.parentCode ?? null })));
    const inserted = await sql.query<{ code: string }>(
      `INSERT INTO "Unit" ("code", "name", "level", "updatedAt")
       SELECT v.code, v.name, 'ward', $2::timestamp(3) FROM jsonb_to_recordset($1::jsonb) AS v(code text, name text)
        WHERE v.name IS NOT NULL ORDER BY v.code ON CONFLICT ("code") DO NOTHING RETURNING "code"`,
      [v, now],
    );
    // The parent is set only when the unit is created here (re-parenting is an admin change).
    const parented = [...req.units].filter(([code, u]) => u.parentCode !== undefined && inserted.some((r) => r.code === code));
    if (parented.length) {
      const pv = JSON.stringify(parented.map(([code, u]) => ({ code, parent: u.parentCode })));
      const set = await sql.query<{ code: string }>(
        `UPDATE "Unit" u SET "parentId" = p."id" FROM jsonb_to_recordset($1::jsonb) AS v(code text, parent text)
           JOIN "Unit" p ON p."code" = v.parent AND v.parent <> v.code
          WHERE u."code" = v.code RETURNING u."code"`,
        [pv],
      );
      const bad = parented.find(([code]) => !set.some((r) => r.code === code));
      if (bad) missing.parentUnitCode = bad[1].parentCode === bad[0] ? `unit ${bad[0]} cannot be its own parent` : `unknown parent unit ${bad[1].parentCode}`;
    }
    const rows = await sql.query<{ code: string; stored: string | null; given: string | null }>(
      `SELECT v.code, u."name" AS stored, v.name AS given FROM jsonb_to_recordset($1::jsonb) AS v(code text, name text) LEFT JOIN "Unit" u ON u."code" = v.code`,
      [v],
    );
    for (const r of rows) {
      if (r.stored === null) missing.unitName = `unknown unit ${r.code}: unitName is required to create it`;
      else if (r.given !== null && r.given !== r.stored) warnings.push(warning("unit.name", r.code, r.stored, r.given));
    }
  }

  const durations = new Map<string, number | null>();
  if (req.procedures.size) {
    const v = JSON.stringify(
      [...req.procedures].map(([code, p]) => ({ code, name: p.name ?? null, duration: p.durationDays ?? null, field: p.fieldCode ?? null })),
    );
    const def = `jsonb_to_recordset($1::jsonb) AS v(code text, name text, duration int, field text)`;
    await sql.query(
      `INSERT INTO "Procedure" ("code", "name", "durationDays", "fieldId", "updatedAt")
       SELECT v.code, v.name, v.duration, f."id", $2::timestamp(3) FROM ${def} LEFT JOIN "Field" f ON f."code" = v.field
        WHERE v.name IS NOT NULL ORDER BY v.code ON CONFLICT ("code") DO NOTHING`,
      [v, now],
    );
    // Filling in what an existing procedure lacks is not a change of its rules.
    await sql.query(
      `UPDATE "Procedure" p SET "durationDays" = COALESCE(p."durationDays", v.duration), "fieldId" = COALESCE(p."fieldId", f."id"), "updatedAt" = $2::timestamp(3)
         FROM ${def} LEFT JOIN "Field" f ON f."code" = v.field
        WHERE p."code" = v.code AND ((p."durationDays" IS NULL AND v.duration IS NOT NULL) OR (p."fieldId" IS NULL AND f."id" IS NOT NULL))
        RETURNING p."code"`,
      [v, now],
    );
    const rows = await sql.query<{ code: string; name: string | null; given: string | null; duration: number | null; givenDuration: number | null; field: string | null; givenField: string | null }>(
      `SELECT v.code, p."name", v.name AS given, p."durationDays" AS duration, v.duration AS "givenDuration", pf."code" AS field, v.field AS "givenField"
         FROM ${def} LEFT JOIN "Procedure" p ON p."code" = v.code LEFT JOIN "Field" pf ON pf."id" = p."fieldId"`,
      [v],
    );
    for (const r of rows) {
      if (r.name === null) {
        missing.procedureName = `unknown procedure ${r.code}: procedureName is required to create it`;
        continue;
      }
      durations.set(r.code, r.duration);
      if (r.given !== null && r.given !== r.name) warnings.push(warning("procedure.name", r.code, r.name, r.given));
      if (r.givenDuration !== null && r.duration !== null && r.givenDuration !== r.duration) warnings.push(warning("procedure.durationDays", r.code, r.duration, r.givenDuration));
      if (r.givenField !== null && r.field !== null && r.givenField !== r.field) warnings.push(warning("procedure.field", r.code, r.field, r.givenField));
    }
  }
  if (Object.keys(missing).length) throw new AppError("validation_failed", Object.values(missing).join("; "), missing);
  if (warnings.length) await auditWarnings(sql, warnings, ctx);
  return { warnings, durations };
}

/** One audit row per mismatch (at most 1000 per write; the response lists them all). */
export async function auditWarnings(sql: Sql, warnings: CatalogueWarning[], ctx: { actor: string; target?: string }): Promise<void> {
  const rows = warnings.slice(0, 1000).map((w) => ({
    target: `${w.kind.split(".")[0]}:${w.code}`,
    details: { kind: w.kind, stored: w.stored, given: w.given, ...(ctx.target ? { dossier: ctx.target } : {}) },
  }));
  await sql.query(
    `INSERT INTO "AuditLog" ("actor", "action", "target", "details")
     SELECT $2, 'catalogue.mismatch', v.target, v.details FROM jsonb_to_recordset($1::jsonb) AS v(target text, details jsonb) RETURNING "id"::text`,
    [JSON.stringify(rows), ctx.actor],
  );
}

// ------------------------------------------------------------------------------ merge

const FINISHED = "(3, 7, 8, 9, 10)";
const given = (bit: number) => `(s.given & ${bit}) <> 0`;

/** Existing dossiers: the old row is locked and read in the same statement (UPDATE … FROM (SELECT … FOR UPDATE)). */
function updateSql(source: string): string {
  const keep = (bit: number, col: string, src: string, cast = "") => `"${col}" = CASE WHEN ${given(bit)} THEN s.${src}${cast} ELSE d."${col}" END`;
  return `
WITH s AS (${source}),
o AS (SELECT d."id", d."code", d."status", d."finishedAt" FROM "Dossier" d JOIN s ON s.code = d."code" ORDER BY d."id" FOR UPDATE OF d),
u AS (
  UPDATE "Dossier" d SET
    "unitId" = un."id", "procedureId" = pr."id",
    "applicantName" = s.applicant_name, "applicantPhone" = s.applicant_phone, "applicantIdHash" = s.id_hash,
    "applicantIdLast4Hash" = s.id_last4_hash, "applicantIdMasked" = s.id_masked,
    "receivedAt" = s.received_at, "appointmentAt" = s.appointment_at, "appointmentComputed" = s.appointment_computed,
    "status" = s.status,
    "statusAt" = CASE WHEN o."status" <> s.status THEN $1::timestamp(3) ELSE d."statusAt" END,
    ${keep(GIVEN.returnMethod, "returnMethod", "return_method", '::"ReturnMethod"')},
    ${keep(GIVEN.currentStep, "currentStep", "current_step")},
    ${keep(GIVEN.feeStatus, "feeStatus", "fee_status", '::"FeeStatus"')},
    ${keep(GIVEN.feeAmount, "feeAmount", "fee_amount")},
    ${keep(GIVEN.supplementReason, "supplementReason", "supplement_reason")},
    ${keep(GIVEN.stopReason, "stopReason", "stop_reason")},
    ${keep(GIVEN.postalDelivered, "postalDelivered", "postal_delivered")},
    -- Reaching a finished status stamps finishedAt, unless already finished (9 → 10 keeps the time the result was ready).
    "finishedAt" = CASE WHEN ${given(GIVEN.finishedAt)} THEN s.finished_at
                        WHEN o."status" <> s.status AND s.status IN ${FINISHED} AND NOT (o."status" IN ${FINISHED} AND o."finishedAt" IS NOT NULL) THEN $1::timestamp(3)
                        ELSE d."finishedAt" END,
    "returnedAt" = CASE WHEN ${given(GIVEN.returnedAt)} THEN s.returned_at WHEN o."status" <> s.status AND s.status = 10 THEN $1::timestamp(3) ELSE d."returnedAt" END,
    "updatedAt" = $1::timestamp(3)
  FROM s JOIN o ON o."code" = s.code JOIN "Unit" un ON un."code" = s.unit_code JOIN "Procedure" pr ON pr."code" = s.procedure_code
  WHERE d."id" = o."id"
  RETURNING d."id", d."code", o."status" AS "from", d."status" AS "to", COALESCE(s.stop_reason, s.supplement_reason) AS "reason"),
h AS (
  INSERT INTO "DossierStatusEvent" ("dossierId", "eventId", "status", "at", "source", "applied")
  SELECT u."id", $2 || u."to", u."to", $1::timestamp(3), $3, TRUE FROM u WHERE u."from" <> u."to"
  ON CONFLICT ("dossierId", "eventId") DO NOTHING RETURNING 1)
SELECT (SELECT count(*)::int FROM u) AS n, (SELECT count(*)::int FROM u WHERE u."from" <> u."to") AS changed,
       (SELECT COALESCE(json_agg(json_build_object('dossierId', u."id", 'code', u."code", 'from', u."from", 'to', u."to", 'reason', u."reason")), '[]'::json)
          FROM u WHERE u."from" <> u."to" AND ($4::boolean OR EXISTS (SELECT 1 FROM "DossierLink" l WHERE l."dossierId" = u."id"))) AS changes`;
}

/** Missing dossiers: inserted (a concurrent creator wins; the next round updates instead). */
function insertSql(source: string): string {
  const opt = (bit: number, src: string) => `CASE WHEN ${given(bit)} THEN s.${src} END`;
  return `
WITH s AS (${source}),
ins AS (
  INSERT INTO "Dossier" ("code", "unitId", "procedureId", "applicantName", "applicantPhone", "applicantIdHash", "applicantIdLast4Hash",
    "applicantIdMasked", "receivedAt", "appointmentAt", "appointmentComputed", "originalAppointmentAt", "status", "statusAt",
    "returnMethod", "currentStep", "feeStatus", "feeAmount", "supplementReason", "stopReason", "postalDelivered", "finishedAt", "returnedAt", "updatedAt")
  SELECT s.code, un."id", pr."id", s.applicant_name, s.applicant_phone, s.id_hash, s.id_last4_hash,
    s.id_masked, s.received_at, s.appointment_at, s.appointment_computed, s.appointment_at, s.status, $1::timestamp(3),
    COALESCE(${opt(GIVEN.returnMethod, "return_method")}, 'counter')::"ReturnMethod", ${opt(GIVEN.currentStep, "current_step")},
    COALESCE(${opt(GIVEN.feeStatus, "fee_status")}, 'none')::"FeeStatus", ${opt(GIVEN.feeAmount, "fee_amount")},
    ${opt(GIVEN.supplementReason, "supplement_reason")}, ${opt(GIVEN.stopReason, "stop_reason")}, ${opt(GIVEN.postalDelivered, "postal_delivered")},
    CASE WHEN ${given(GIVEN.finishedAt)} THEN s.finished_at WHEN s.status IN ${FINISHED} THEN $1::timestamp(3) END,
    CASE WHEN ${given(GIVEN.returnedAt)} THEN s.returned_at WHEN s.status = 10 THEN $1::timestamp(3) END,
    $1::timestamp(3)
  FROM s JOIN "Unit" un ON un."code" = s.unit_code JOIN "Procedure" pr ON pr."code" = s.procedure_code
  WHERE NOT EXISTS (SELECT 1 FROM "Dossier" x WHERE x."code" = s.code)
  ORDER BY s.code
  ON CONFLICT ("code") DO NOTHING
  RETURNING "id", "status"),
h AS (
  INSERT INTO "DossierStatusEvent" ("dossierId", "eventId", "status", "at", "source", "applied")
  SELECT ins."id", $2 || ins."status", ins."status", $1::timestamp(3), $3, TRUE FROM ins RETURNING 1)
SELECT count(*)::int AS n, $4::boolean AS "allChanges" FROM ins`;
}

export interface MergeOptions {
  now: Date;
  /** History: eventId = prefix + status; source = "sync" | "import". */
  eventPrefix: string;
  source: string;
  /** Report every status change (PUT) or only those of dossiers someone linked (import: notices need nothing else). */
  changes: "all" | "linked";
  /** Extra parameters of the source (jsonSource(5) → [rowsJson]). */
  params?: unknown[];
}

export interface MergeResult {
  created: number;
  updated: number;
  /** Existing dossiers whose status changed (each has its history row). */
  statusChanged: number;
  /** The changes listeners hear of (all, or those of linked dossiers: see MergeOptions.changes). */
  statusChanges: StatusChange[];
}

/**
 * Writes `total` staged rows from `source` (which may use parameters $5…): existing dossiers
 * updated, missing ones created, a history row per creation and per actual status change.
 * Repeating the update round is harmless (it is idempotent), which is what makes the retry
 * after a concurrent creation safe.
 */
export async function mergeDossiers(sql: Sql, source: string, total: number, opts: MergeOptions): Promise<MergeResult> {
  const params = [opts.now.toISOString(), opts.eventPrefix, opts.source, opts.changes === "all", ...(opts.params ?? [])];
  const update = updateSql(source);
  const insert = insertSql(source);
  const statusChanges = new Map<number, StatusChange>();
  let created = 0;
  let changed = 0;
  for (let round = 0; round < 5; round++) {
    const [u] = await sql.query<{ n: number; changed: number; changes: { dossierId: number; code: string; from: number; to: number; reason: string | null }[] | string }>(update, params);
    const [i] = await sql.query<{ n: number }>(insert, params);
    const changes = typeof u!.changes === "string" ? JSON.parse(u!.changes) : u!.changes;
    for (const c of changes as { dossierId: number; code: string; from: number; to: number; reason: string | null }[])
      statusChanges.set(c.dossierId, { ...c, at: opts.now, eventId: opts.eventPrefix + c.to });
    created += i!.n;
    changed += u!.changed;
    if (u!.n + i!.n >= total) return { created, updated: total - created, statusChanged: changed, statusChanges: [...statusChanges.values()] };
    // Fewer rows than staged: some were created by another writer between the two statements.
  }
  throw new AppError("conflict", "The dossiers are being written by another request right now; try again");
}
