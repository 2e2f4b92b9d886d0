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
import { csvCell, OutputClosedError, safeText } from "./writers.ts";
import { columnLetter, xlsxT } from "./xlsx.ts";

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
        rows.push(
          `(${id}, ${literal(q.column)}, ${literal(c.value)}, ${literal(c.label.vi)}, ${literal(csvCell(c.label.vi))}, ${literal(csvCell(c.value))}, ${literal(xlsxT(safeText(c.label.vi)))})`,
        );
      }
    }
  if (!rows.length) rows.push(`(0, '', '', '', '', '', '')`);
  // label_csv, val_csv: the label and the code already formatted as CSV cells, label_t as the
  // sheet's <t> element, by the reference formatters themselves.
  return `labels(v, q, val, label, label_csv, val_csv, label_t) AS (VALUES ${rows.join(", ")})`;
}

/** Placeholder in CELL_SQL for the reasons' label map, replaced by reasonLabels(versions). */
const REASON_LABELS = "__REASON_LABELS__";

/** { "<version id>": { "<reason code>": "<label>" } } as a jsonb literal (choiceLabel's first match). */
function reasonLabels(versions: Map<number, { definition: SurveyDefinition }>): string {
  const map: Record<string, Record<string, string>> = {};
  for (const [id, v] of versions) {
    const q = v.definition.questions.find((x) => x.column === "reasons");
    if (!q?.choices) continue;
    const labels: Record<string, string> = {};
    for (const c of q.choices) if (!(c.value in labels)) labels[c.value] = c.label.vi;
    map[String(id)] = labels;
  }
  return `${literal(JSON.stringify(map))}::jsonb`;
}

/**
 * The catalogue columns, in both renderings: the uc / pc CTEs (withPart) render each unit,
 * field and procedure once — as CSV cells or as the sheet's <t> — instead of once per row.
 */
const CATALOGUE_CELLS: Record<string, string> = {
  unit_code: "uc.code",
  unit_name: "uc.name",
  field_code: "pc.field_code",
  field_name: "pc.field_name",
  procedure_code: "pc.code",
  procedure_name: "pc.name",
};

/** SQL of each export column by header (the order comes from exportColumns()). */
const CELL_SQL: Record<string, string> = {
  response_id: `r.id::text`,
  dossier_code: csvText("d.code"),
  ...CATALOGUE_CELLS,
  received_at: csvTime(`d."receivedAt"`),
  appointment_at: csvTime(`d."appointmentAt"`),
  finished_at: csvTime(`d."finishedAt"`),
  returned_at: csvTime(`d."returnedAt"`),
  finished_late: flag(`(d."finishedAt" > d."appointmentAt")`),
  // Enum values ([a-z_]) need no formatting.
  channel: "r.channel::text",
  survey_version: `sv.version::text`,
  overall: `COALESCE(r.overall::text, '')`,
  overall_text: `COALESCE(lo.label_csv, r.overall::text, '')`,
  satisfied: `(CASE WHEN r.overall IS NULL THEN '' WHEN r.overall = 'not_satisfied' THEN '0' ELSE '1' END)`,
  visits: `COALESCE(r.visits::text, '')`,
  on_time: flag(`r."onTime"`),
  staff_attitude: `COALESCE(la.val_csv, ${csvText(`r."staffAttitude"`)})`,
  staff_attitude_text: `COALESCE(la.label_csv, ${csvText(`r."staffAttitude"`)})`,
  reasons: `(CASE WHEN cardinality(r.reasons) = 0 THEN '' ELSE ${csvText(`replace(NULLIF(array_to_string(r.reasons, ';'), ''), ';', '; ')`)} END)`,
  // Each code by its label in the response's survey version (reasonLabels below: a constant
  // jsonb map, cheaper per row than a join to the labels table).
  reasons_text: `(CASE WHEN array_to_string(r.reasons, ';') = '' THEN '' ELSE ${csvText(
    `array_to_string(ARRAY(SELECT COALESCE(${REASON_LABELS} -> r."surveyVersionId"::text ->> x, x)
       FROM unnest(string_to_array(array_to_string(r.reasons, ';'), ';')) WITH ORDINALITY AS t(x, o) ORDER BY o), '; ')`,
  )} END)`,
  comment: csvText("r.comment"),
  complaint: flag("r.complaint"),
  first_answered_at: csvTime(`r."firstAnsweredAt"`),
  updated_at: csvTime(`r."updatedAt"`),
  applicant_name: csvText(`d."applicantName"`),
  applicant_phone: csvText(`d."applicantPhone"`),
};

/** The part of the rendered-rows SELECT after its column list: joins, filters, order, page. */
function fromPart(f: ResolvedFilters, params: SqlParams, page?: { afterId: number; limit: number }): string {
  const where = dossierConditions(f, params);
  if (f.channel) where.push(`r.channel::text = ${params.text(f.channel)}`);
  where.push(...periodConditions(f, params, RESPONSE_REF));
  if (page) where.push(`r.id > ${params.int(page.afterId)}`);
  return `FROM "FeedbackResponse" r
    JOIN "Dossier" d ON d.id = r."dossierId"
    JOIN uc ON uc.id = d."unitId"
    JOIN pc ON pc.id = d."procedureId"
    JOIN "SurveyVersion" sv ON sv.id = r."surveyVersionId"
    LEFT JOIN labels lo ON lo.v = r."surveyVersionId" AND lo.q = 'overall' AND lo.val = r.overall::text
    LEFT JOIN labels la ON la.v = r."surveyVersionId" AND la.q = 'staffAttitude' AND la.val = r."staffAttitude"
    ${whereClause(where)}
    ORDER BY r.id${page ? ` LIMIT ${params.int(page.limit)}` : ""}`;
}

/** The CTEs both renderings use: the unit tree (filters), the choice labels, the catalogue cells. */
function withPart(versions: Map<number, { definition: SurveyDefinition }>, catalogue: (e: string) => string): string {
  return `WITH RECURSIVE ${UNIT_TREE_CTE}, ${labelTable(versions)},
    uc AS MATERIALIZED (SELECT id, ${catalogue("code")} AS code, ${catalogue("name")} AS name FROM "Unit"),
    pc AS MATERIALIZED (SELECT p.id, ${catalogue("p.code")} AS code, ${catalogue("p.name")} AS name, ${catalogue("fl.code")} AS field_code, ${catalogue("fl.name")} AS field_name
      FROM "Procedure" p LEFT JOIN "Field" fl ON fl.id = p."fieldId")`;
}

function splitAtApplicant(columns: Column[]): { before: Column[]; after: Column[] } {
  const at = columns.findIndex((c) => c.header === "applicant");
  if (at < 0) throw new Error("the export has no applicant column");
  return { before: columns.slice(0, at), after: columns.slice(at + 1) };
}

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
  const labels = reasonLabels(versions);
  const cells = (list: Column[]) =>
    list.map((c) => {
      const sql = CELL_SQL[c.header];
      if (!sql) throw new Error(`no SQL for export column ${c.header}`);
      return sql.replaceAll(REASON_LABELS, labels);
    });
  const parts = splitAtApplicant(columns);
  const before = cells(parts.before);
  const after = cells(parts.after);
  return `${withPart(versions, csvText)}
    SELECT r.id,
      concat_ws(',', ${before.join(", ")}) || ',' AS before,
      ${PSEUDONYM_OR_BASIS_SQL} AS basis,
      ${after.length ? `',' || concat_ws(',', ${after.join(", ")})` : `''`} AS after
    ${fromPart(f, params, page)}`;
}

/**
 * A text as the sheet's `<t>` element, NULL for NULL: most texts need nothing (one regular
 * expression says so) and are wrapped as they are; the others go through export_xlsx_text()
 * (control characters, formula starts, white space at an end, & < > CR).
 */
const SHEET_TEXT_NEEDS_WORK = `'[\\x01-\\x1f&<>\\ufffe\\uffff]|^[-=+@ \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]|[ \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]$'`;
const sheetT = (e: string) => `(CASE WHEN ${e} ~ ${SHEET_TEXT_NEEDS_WORK} THEN export_xlsx_text(${e}) ELSE '<t>' || ${e} || '</t>' END)`;
/** Enum codes ([a-z_]) need no work. */
const plainT = (e: string) => `('<t>' || ${e} || '</t>')`;

/** Each column for the XLSX rendering: numbers and timestamps as values, texts as their <t> (NULL: no cell). */
const SHEET_SQL: Record<string, string> = {
  response_id: `r.id`,
  dossier_code: sheetT("d.code"),
  ...CATALOGUE_CELLS,
  received_at: `d."receivedAt"`,
  appointment_at: `d."appointmentAt"`,
  finished_at: `d."finishedAt"`,
  returned_at: `d."returnedAt"`,
  finished_late: `(CASE WHEN d."finishedAt" IS NULL THEN NULL WHEN d."finishedAt" > d."appointmentAt" THEN 1 ELSE 0 END)`,
  channel: plainT("r.channel::text"),
  survey_version: `sv.version`,
  overall: plainT("r.overall::text"),
  overall_text: `COALESCE(lo.label_t, ${plainT("r.overall::text")})`,
  satisfied: `(CASE WHEN r.overall IS NULL THEN NULL WHEN r.overall = 'not_satisfied' THEN 0 ELSE 1 END)`,
  visits: `r.visits`,
  on_time: `(CASE WHEN r."onTime" THEN 1 WHEN NOT r."onTime" THEN 0 END)`,
  staff_attitude: sheetT(`r."staffAttitude"`),
  staff_attitude_text: `COALESCE(la.label_t, ${sheetT(`r."staffAttitude"`)})`,
  reasons: sheetT(`replace(NULLIF(array_to_string(r.reasons, ';'), ''), ';', '; ')`),
  reasons_text: `(CASE WHEN array_to_string(r.reasons, ';') = '' THEN NULL ELSE ${sheetT(`array_to_string(ARRAY(SELECT COALESCE(${REASON_LABELS} -> r."surveyVersionId"::text ->> x, x)
       FROM unnest(string_to_array(array_to_string(r.reasons, ';'), ';')) WITH ORDINALITY AS t(x, o) ORDER BY o), '; ')`)} END)`,
  comment: sheetT("r.comment"),
  complaint: `(CASE WHEN r.complaint THEN 1 WHEN NOT r.complaint THEN 0 END)`,
  first_answered_at: `r."firstAnsweredAt"`,
  updated_at: `r."updatedAt"`,
  applicant_name: sheetT(`d."applicantName"`),
  applicant_phone: sheetT(`d."applicantPhone"`),
};

/**
 * The XLSX sheet's rows rendered by the database, as rowXml() in xlsx.ts writes them: SELECT of
 * (id, before, basis, after) where before ends inside the applicant's cell, so that the
 * process only puts the pseudonym there. Rows are numbered from `firstRow` in id order.
 * Needs DateStyle ISO and extra_float_digits 1 (the shortest exact form of a date serial,
 * as JavaScript writes numbers).
 */
export function xlsxRowsSql(
  f: ResolvedFilters,
  columns: Column[],
  versions: Map<number, { definition: SurveyDefinition }>,
  params: SqlParams,
  firstRow: number,
  page?: { afterId: number; limit: number },
): string {
  const labels = reasonLabels(versions);
  const letters = columns.map((_, i) => columnLetter(i));
  const value = (c: Column, i: number) => {
    const v = SHEET_SQL[c.header];
    if (!v) throw new Error(`no SQL for export column ${c.header}`);
    return `${valueAsText(c, v.replaceAll(REASON_LABELS, labels))} AS v${i}`;
  };
  // Values arrive as text (cast once in the inner query); each cell is a short || chain and a
  // row is one format() of its cells — concat() looks up every argument's output function on
  // every call, which made it the largest cost of the rendering.
  const cell = (c: Column, i: number): string => {
    const v = `x.v${i}`;
    const ref = `'<c r="${letters[i]}' || x.rn`;
    if (c.type === "number") return `(CASE WHEN ${v} IS NULL THEN '' ELSE ${ref} || '"><v>' || ${v} || '</v></c>' END)`;
    if (c.type === "date") return `(CASE WHEN ${v} IS NULL THEN '' ELSE ${ref} || '" s="1"><v>' || ${v} || '</v></c>' END)`;
    return `(CASE WHEN ${v} IS NULL THEN '' ELSE ${ref} || '" t="inlineStr"><is>' || ${v} || '</is></c>' END)`;
  };
  const valueAsText = (c: Column, expr: string): string => {
    if (c.type === "number") return `(${expr})::text`;
    // The spreadsheet serial of the Vietnam wall-clock second, written as JavaScript writes the number.
    if (c.type === "date") return `((floor(date_part('epoch', ${expr}) + 25200) / 86400 + 25569)::text)`;
    return expr;
  };
  const at = columns.findIndex((c) => c.header === "applicant");
  if (at < 0) throw new Error("the export has no applicant column");
  const values = columns.map((c, i) => (i === at ? null : value(c, i))).filter((v): v is string => v !== null);
  const before = columns.slice(0, at).map((c, i) => cell(c, i));
  const after = columns.slice(at + 1).map((c, i) => cell(c, at + 1 + i));
  return `SELECT x.id,
      format('${"%s".repeat(before.length + 2)}', '<row r="' || x.rn || '">', ${before.join(", ")}, '<c r="${letters[at]}' || x.rn || '" t="inlineStr"><is><t>') AS before,
      x.basis,
      format('${"%s".repeat(after.length + 2)}', '</t></is></c>', ${after.length ? `${after.join(", ")}, ` : ""}'</row>') AS after
    FROM (${withPart(versions, (e) => `export_xlsx_text(${e})`)}
      SELECT r.id, (row_number() OVER (ORDER BY r.id) + ${params.int(firstRow - 1)})::text AS rn, ${PSEUDONYM_OR_BASIS_SQL} AS basis, ${values.join(", ")}
      ${fromPart(f, params, page)}) x
    ORDER BY x.id`;
}

/**
 * The stored pseudonym when the job has made it (pseudonyms.ts), else the basis to hash here.
 * A basis starts with "id:", "phone:" or "dossier:", a pseudonym with "P-".
 */
const PSEUDONYM_OR_BASIS_SQL = `COALESCE(d."applicantPseudonym", ${PSEUDONYM_BASIS_SQL})`;
const P = 0x50;
const DASH = 0x2d;

/** Pseudonyms by basis (repeat applicants are common); a stored pseudonym passes as it is. */
export class PseudonymCache {
  private map = new Map<string, string>();
  constructor(private readonly hasher: IdentityHasher) {}
  get(basis: string): string {
    if (basis.startsWith("P-")) return basis;
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
    /** After each row: CRLF for the CSV, nothing for the sheet XML. */
    private readonly lineEnd: Buffer = CRLF,
  ) {
    super();
    if (head) this.push(Buffer.from(head, "utf8"));
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
    // Rows are rewritten in place: the 14 bytes of a row's framing and its basis make way for
    // the pseudonym and the line end, so the write position stays behind the read position and
    // no second buffer is needed per chunk (the export's memory at a million rows). A row that
    // would not fit (a basis under 6 bytes) moves the rest of the chunk to a new buffer.
    let out = b;
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
      const stored = b[f2[0]] === P && b[f2[0] + 1] === DASH;
      const pseudonym = stored ? null : this.pseudonyms.get(b.toString("utf8", f2[0], f2[1]));
      const middle = pseudonym === null ? f2[1] - f2[0] : pseudonym.length;
      const f1Len = f1[1] - f1[0];
      // In place, the row's output must end where its input ends (the next row starts there).
      if (out === b && o + f1Len + middle + (f3[1] - f3[0]) + this.lineEnd.length > f3[1]) {
        out = Buffer.allocUnsafe(o + (b.length - pos) * 2 + 64);
        b.copy(out, 0, 0, o);
      }
      o += b.copy(out, o, f1[0], f1[1]);
      if (pseudonym === null) o += b.copy(out, o, f2[0], f2[1]);
      else o += out.write(pseudonym, o, "latin1");
      o += b.copy(out, o, f3[0], f3[1]);
      o += this.lineEnd.copy(out, o);
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

/**
 * Runs `COPY (SELECT before, basis, after …) TO STDOUT (FORMAT binary)` on a connection of its
 * own (DateStyle ISO, shortest exact floats: the renderings rely on both) and hands the lines
 * (pseudonyms put in) to `consume`; returns the rows.
 */
async function copyRendered(serverUrl: string, sql: string, lines: CopyBinaryToCsv, consume: (lines: CopyBinaryToCsv) => Promise<void>, out: Writable): Promise<number> {
  const client = new pg.Client({ connectionString: serverUrl, application_name: "dossier-bot export" });
  await client.connect();
  try {
    await client.query("SET DateStyle TO ISO; SET extra_float_digits TO 1");
    // Only the cells: the id column is for paging.
    const copy = client.query(copyTo(`COPY (SELECT before, basis, after FROM (${sql}) x) TO STDOUT (FORMAT binary)`));
    await Promise.all([pipeline(copy, lines), consume(lines)]);
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

/** PostgreSQL: streams the whole CSV through COPY … TO STDOUT into `out` and ends it; returns the rows. */
export async function copyCsvExport(serverUrl: string, input: SqlCsvInput, out: Writable): Promise<number> {
  const sql = csvLinesSql(input.f, input.columns, input.versions, new InlineParams());
  const lines = new CopyBinaryToCsv(new PseudonymCache(input.hasher), input.head);
  return copyRendered(serverUrl, sql, lines, (l) => pipeline(l, out), out);
}

/** PostgreSQL: the XLSX sheet's rows through COPY, each chunk to `write`; returns the rows. */
export async function copyXlsxRows(serverUrl: string, input: Omit<SqlCsvInput, "head">, write: (xml: Buffer) => Promise<void>, out: Writable): Promise<number> {
  const sql = xlsxRowsSql(input.f, input.columns, input.versions, new InlineParams(), 2);
  const lines = new CopyBinaryToCsv(new PseudonymCache(input.hasher), "", Buffer.alloc(0));
  return copyRendered(
    serverUrl,
    sql,
    lines,
    async (l) => {
      for await (const chunk of l) await write(chunk as Buffer);
    },
    out,
  );
}

/** PGlite (and any Prisma client): the sheet's rendered rows in keyset-paginated batches. */
export async function* sqlXlsxBatches(prisma: PrismaClient, input: Omit<SqlCsvInput, "head">, batchSize = 5000): AsyncGenerator<{ text: string; rows: number }> {
  const pseudonyms = new PseudonymCache(input.hasher);
  let afterId = 0;
  let row = 2;
  for (;;) {
    const params = new SqlParams();
    const sql = xlsxRowsSql(input.f, input.columns, input.versions, params, row, { afterId, limit: batchSize });
    // DateStyle and float output as the rendering expects, for this statement only.
    const [, , rows] = await prisma.$transaction([
      prisma.$executeRawUnsafe(`SET LOCAL DateStyle TO ISO`),
      prisma.$executeRawUnsafe(`SET LOCAL extra_float_digits TO 1`),
      prisma.$queryRawUnsafe<{ id: number; before: string; basis: string; after: string }[]>(sql, ...params.values),
    ]);
    if (!rows.length) return;
    let chunk = "";
    for (const r of rows) chunk += r.before + pseudonyms.get(r.basis) + r.after;
    yield { text: chunk, rows: rows.length };
    if (rows.length < batchSize) return;
    afterId = Number(rows[rows.length - 1]!.id);
    row += rows.length;
  }
}

/** PGlite (and any Prisma client): the same rendered lines, read in keyset-paginated batches. */
export async function* sqlCsvBatches(prisma: PrismaClient, input: SqlCsvInput, batchSize = 5000): AsyncGenerator<{ text: string; rows: number }> {
  const pseudonyms = new PseudonymCache(input.hasher);
  let afterId = 0;
  for (;;) {
    const params = new SqlParams();
    const sql = csvLinesSql(input.f, input.columns, input.versions, params, { afterId, limit: batchSize });
    // export_csv_time() writes timestamps in their text form, which follows DateStyle.
    const [, rows] = await prisma.$transaction([
      prisma.$executeRawUnsafe(`SET LOCAL DateStyle TO ISO`),
      prisma.$queryRawUnsafe<{ id: number; before: string; basis: string; after: string }[]>(sql, ...params.values),
    ]);
    if (!rows.length) return;
    let chunk = "";
    for (const r of rows) chunk += r.before + pseudonyms.get(r.basis) + r.after + "\r\n";
    yield { text: chunk, rows: rows.length };
    if (rows.length < batchSize) return;
    afterId = rows[rows.length - 1]!.id;
  }
}
