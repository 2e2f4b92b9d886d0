// The feedback CSV rendered by the database: each row's cells are formatted in SQL exactly
// as csvField() formats them (the export_csv_* functions of migration
// 20261202030214_satisfaction_aggregates; a test compares both paths byte for byte), so the
// process only adds the applicant's pseudonym — an HMAC keyed by the service's pepper, which
// never leaves the process — and the line end.
//  - PostgreSQL: `COPY (…) TO STDOUT (FORMAT binary)` through pg-copy-streams: one snapshot,
//    no per-row objects, the socket's backpressure all the way to the client.
//  - PGlite (no COPY TO STDOUT stream): the same SELECT in keyset-paginated batches.
// A row is three text fields: the cells before the pseudonym (with the trailing comma), the
// pseudonym's basis, and the cells after it (identities).
import { Transform, type TransformCallback, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { IdentityHasher } from "../identity.ts";
import { dossierConditions, periodConditions, SqlParams, UNIT_TREE_CTE, whereClause, type ResolvedFilters } from "../stats/filters.ts";
import type { SurveyDefinition } from "../survey/definition.ts";
import { PSEUDONYM_BASIS_SQL, pseudonymOf, RESPONSE_REF, type Column } from "./feedback-rows.ts";
import { OutputClosedError } from "./writers.ts";

/**
 * SqlParams that writes values into the text (COPY takes no parameters). Only ids, ISO
 * instants, dates and channel codes reach it, all validated before; anything else is refused.
 */
class InlineParams extends SqlParams {
  override add(v: string | number): string {
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
      return String(v);
    }
    if (!/^[0-9A-Za-z:.\-_+ ]*$/.test(v)) throw new Error("unexpected characters in an inline SQL value");
    return `'${v}'`;
  }
}

/** A string as an SQL literal that means the same whatever standard_conforming_strings says. */
function literal(s: string): string {
  return `E'${s.replace(/\u0000/g, "").replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

const csvText = (e: string) => `export_csv_text(${e})`;
const csvTime = (e: string) => `export_csv_time(${e})`;
const flag = (e: string) => `(CASE WHEN ${e} IS NULL THEN '' WHEN ${e} THEN '1' ELSE '0' END)`;

/** The labels of every survey version's choices, as an inline table (version, column, value, label). */
function labelTable(versions: Map<number, { definition: SurveyDefinition }>): string {
  const rows: string[] = [];
  for (const [id, v] of versions)
    for (const q of v.definition.questions) {
      if (!q.column || !q.choices) continue;
      // choiceLabel() takes the first matching question and choice: keep only those.
      if (v.definition.questions.find((x) => x.column === q.column) !== q) continue;
      const seen = new Set<string>();
      for (const c of q.choices) {
        if (seen.has(c.value)) continue;
        seen.add(c.value);
        rows.push(`(${id}, ${literal(q.column)}, ${literal(c.value)}, ${literal(c.label.vi)})`);
      }
    }
  if (!rows.length) rows.push(`(0, '', '', '')`);
  return `labels(v, q, val, label) AS (VALUES ${rows.join(", ")})`;
}

/** SQL of each export column by header (the order comes from exportColumns()). */
const CELL_SQL: Record<string, string> = {
  response_id: `r.id::text`,
  dossier_code: csvText("d.code"),
  unit_code: csvText("u.code"),
  unit_name: csvText("u.name"),
  field_code: csvText("fl.code"),
  field_name: csvText("fl.name"),
  procedure_code: csvText("p.code"),
  procedure_name: csvText("p.name"),
  received_at: csvTime(`d."receivedAt"`),
  appointment_at: csvTime(`d."appointmentAt"`),
  finished_at: csvTime(`d."finishedAt"`),
  returned_at: csvTime(`d."returnedAt"`),
  finished_late: flag(`(d."finishedAt" > d."appointmentAt")`),
  channel: csvText("r.channel::text"),
  survey_version: `sv.version::text`,
  overall: csvText("r.overall::text"),
  overall_text: csvText(`COALESCE(lo.label, r.overall::text)`),
  satisfied: `(CASE WHEN r.overall IS NULL THEN '' WHEN r.overall = 'not_satisfied' THEN '0' ELSE '1' END)`,
  visits: `COALESCE(r.visits::text, '')`,
  on_time: flag(`r."onTime"`),
  staff_attitude: csvText(`r."staffAttitude"`),
  staff_attitude_text: csvText(`COALESCE(la.label, r."staffAttitude")`),
  reasons: csvText(`replace(NULLIF(array_to_string(r.reasons, ';'), ''), ';', '; ')`),
  reasons_text: `(CASE WHEN array_to_string(r.reasons, ';') = '' THEN '' ELSE ${csvText(
    `(SELECT string_agg(COALESCE(l.label, x), '; ' ORDER BY o) FROM unnest(string_to_array(array_to_string(r.reasons, ';'), ';')) WITH ORDINALITY AS t(x, o)
       LEFT JOIN labels l ON l.v = r."surveyVersionId" AND l.q = 'reasons' AND l.val = x)`,
  )} END)`,
  comment: csvText("r.comment"),
  complaint: flag("r.complaint"),
  first_answered_at: csvTime(`r."firstAnsweredAt"`),
  updated_at: csvTime(`r."updatedAt"`),
  applicant_name: csvText(`d."applicantName"`),
  applicant_phone: csvText(`d."applicantPhone"`),
};

/**
 * SELECT of (id, before, basis, after) for every matching response in id order; `afterId`
 * and `limit` page it (PGlite), without them it is the whole export (COPY).
 */
export function csvLinesSql(
  f: ResolvedFilters,
  columns: Column[],
  versions: Map<number, { definition: SurveyDefinition }>,
  params: SqlParams,
  page?: { afterId: number; limit: number },
): string {
  const at = columns.findIndex((c) => c.header === "applicant");
  if (at < 0) throw new Error("the export has no applicant column");
  const cells = (list: Column[]) =>
    list.map((c) => {
      const sql = CELL_SQL[c.header];
      if (!sql) throw new Error(`no SQL for export column ${c.header}`);
      return sql;
    });
  const before = cells(columns.slice(0, at));
  const after = cells(columns.slice(at + 1));
  const where = dossierConditions(f, params);
  if (f.channel) where.push(`r.channel::text = ${params.text(f.channel)}`);
  where.push(...periodConditions(f, params, RESPONSE_REF));
  if (page) where.push(`r.id > ${params.int(page.afterId)}`);
  return `WITH RECURSIVE ${UNIT_TREE_CTE}, ${labelTable(versions)}
    SELECT r.id,
      concat_ws(',', ${before.join(", ")}) || ',' AS before,
      ${PSEUDONYM_BASIS_SQL} AS basis,
      ${after.length ? `',' || concat_ws(',', ${after.join(", ")})` : `''`} AS after
    FROM "FeedbackResponse" r
    JOIN "Dossier" d ON d.id = r."dossierId"
    JOIN "Unit" u ON u.id = d."unitId"
    JOIN "Procedure" p ON p.id = d."procedureId"
    LEFT JOIN "Field" fl ON fl.id = p."fieldId"
    JOIN "SurveyVersion" sv ON sv.id = r."surveyVersionId"
    LEFT JOIN labels lo ON lo.v = r."surveyVersionId" AND lo.q = 'overall' AND lo.val = r.overall::text
    LEFT JOIN labels la ON la.v = r."surveyVersionId" AND la.q = 'staffAttitude' AND la.val = r."staffAttitude"
    ${whereClause(where)}
    ORDER BY r.id${page ? ` LIMIT ${params.int(page.limit)}` : ""}`;
}

/** Pseudonyms by basis: repeat applicants are common, and an HMAC per row is the main cost left. */
class PseudonymCache {
  private map = new Map<string, string>();
  constructor(private readonly hasher: IdentityHasher) {}
  get(basis: string): string {
    let p = this.map.get(basis);
    if (p === undefined) {
      p = pseudonymOf(this.hasher, basis);
      if (this.map.size >= 50_000) this.map.clear();
      this.map.set(basis, p);
    }
    return p;
  }
}

const CRLF = Buffer.from("\r\n");
const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/**
 * COPY binary rows of (before, basis, after) text fields → CSV lines. Field bytes are copied
 * as they come (they are already the CSV's UTF-8); only the basis is decoded and hashed.
 */
export class CopyBinaryToCsv extends Transform {
  rows = 0;
  private rest: Buffer | null = null;
  private headerSeen = false;
  private trailerSeen = false;

  constructor(
    private readonly pseudonyms: PseudonymCache,
    head: string,
  ) {
    super();
    this.push(Buffer.from(head, "utf8"));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const b = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let pos = 0;
    if (!this.headerSeen) {
      if (b.length < 19) {
        this.rest = b;
        return cb();
      }
      if (!b.subarray(0, 11).equals(SIGNATURE)) return cb(new Error("not a COPY binary stream"));
      const ext = b.readInt32BE(15);
      if (b.length < 19 + ext) {
        this.rest = b;
        return cb();
      }
      pos = 19 + ext;
      this.headerSeen = true;
    }
    // A row's output is about its input's size (14 bytes of framing and the basis make way for
    // the 18-byte pseudonym and CRLF; a row has at least 28 commas): 1.25× always holds it.
    const out = Buffer.allocUnsafe(Math.ceil(b.length * 1.25) + 64);
    let o = 0;
    const field = (p: number): [start: number, end: number] | null => {
      if (b.length - p < 4) return null;
      const len = b.readInt32BE(p);
      if (len < 0) return [p + 4, p + 4];
      return b.length - (p + 4) < len ? null : [p + 4, p + 4 + len];
    };
    while (!this.trailerSeen && b.length - pos >= 2) {
      const n = b.readInt16BE(pos);
      if (n === -1) {
        this.trailerSeen = true;
        pos += 2;
        break;
      }
      if (n !== 3) return cb(new Error(`COPY row with ${n} fields, expected 3`));
      const f1 = field(pos + 2);
      if (!f1) break;
      const f2 = field(f1[1]);
      if (!f2) break;
      const f3 = field(f2[1]);
      if (!f3) break;
      o += b.copy(out, o, f1[0], f1[1]);
      o += out.write(this.pseudonyms.get(b.toString("utf8", f2[0], f2[1])), o, "latin1");
      o += b.copy(out, o, f3[0], f3[1]);
      o += CRLF.copy(out, o);
      this.rows++;
      pos = f3[1];
    }
    if (pos < b.length && !this.trailerSeen) this.rest = Buffer.from(b.subarray(pos));
    if (o) this.push(out.subarray(0, o));
    cb();
  }

  override _flush(cb: TransformCallback): void {
    cb(this.trailerSeen && !this.rest ? null : new Error("the COPY stream ended before its trailer"));
  }
}

export interface SqlCsvInput {
  f: ResolvedFilters;
  columns: Column[];
  versions: Map<number, { definition: SurveyDefinition }>;
  hasher: IdentityHasher;
  /** BOM and header line. */
  head: string;
}

/** PostgreSQL: streams the whole export through COPY … TO STDOUT into `out` and ends it; returns the rows. */
export async function copyCsvExport(serverUrl: string, input: SqlCsvInput, out: Writable): Promise<number> {
  const sql = csvLinesSql(input.f, input.columns, input.versions, new InlineParams());
  const client = new pg.Client({ connectionString: serverUrl, application_name: "dossier-bot export" });
  await client.connect();
  const lines = new CopyBinaryToCsv(new PseudonymCache(input.hasher), input.head);
  try {
    // Only the cells: the id column is for paging.
    const copy = client.query(copyTo(`COPY (SELECT before, basis, after FROM (${sql}) x) TO STDOUT (FORMAT binary)`));
    await pipeline(copy, lines, out);
    return lines.rows;
  } catch (err) {
    if (out.destroyed && !out.writableFinished) throw new OutputClosedError();
    throw err;
  } finally {
    // A COPY cut short leaves the connection busy: drop it rather than wait for it.
    const ended = client.end().catch(() => {});
    const timer = setTimeout(() => (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy(), 1000);
    await ended;
    clearTimeout(timer);
  }
}

/** PGlite (and any Prisma client): the same rendered lines, read in keyset-paginated batches. */
export async function* sqlCsvBatches(prisma: PrismaClient, input: SqlCsvInput, batchSize = 5000): AsyncGenerator<{ text: string; rows: number }> {
  const pseudonyms = new PseudonymCache(input.hasher);
  let afterId = 0;
  for (;;) {
    const params = new SqlParams();
    const sql = csvLinesSql(input.f, input.columns, input.versions, params, { afterId, limit: batchSize });
    const rows = await prisma.$queryRawUnsafe<{ id: number; before: string; basis: string; after: string }[]>(sql, ...params.values);
    if (!rows.length) return;
    let chunk = "";
    for (const r of rows) chunk += r.before + pseudonyms.get(r.basis) + r.after + "\r\n";
    yield { text: chunk, rows: rows.length };
    if (rows.length < batchSize) return;
    afterId = rows[rows.length - 1]!.id;
  }
}
