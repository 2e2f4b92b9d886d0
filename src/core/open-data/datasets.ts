/**
 * The open-data files (docs/open-data.md): the satisfaction index and timeliness per unit
 * and month, as CSV and JSON, and a DCAT catalogue describing them.
 *
 * Figures come from the same report code the analysts' API uses (src/core/stats:
 * satisfactionIndex, timelinessReport, the Wilson interval and Decision 766 of wilson.ts);
 * this file only picks columns and hides small cells (suppression.ts). No personal data and
 * no dossier codes: a row is a unit and a month.
 *
 * Only settled months are published: a month appears once OPEN_DATA_SETTLE_DAYS have
 * passed after it ended (ratings arrive after the result is returned; survey invitations
 * stay open for 30 days). Publishing a month that still grows would let two nightly
 * generations be subtracted from each other to isolate the ratings of a single day.
 */
import { createHash } from "node:crypto";
import { PassThrough } from "node:stream";
import { csvWriter } from "../export/writers.ts";
import type { CellValue, Column } from "../export/feedback-rows.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { satisfactionIndex, satisfactionQuerySchema } from "../stats/satisfaction.ts";
import { timelinessQuerySchema, timelinessReport } from "../stats/timeliness.ts";
import { suppressedCells, type Cell } from "./suppression.ts";

export const OPEN_DATA_FILES = ["catalog.json", "satisfaction.csv", "satisfaction.json", "timeliness.csv", "timeliness.json"] as const;
export type OpenDataFileName = (typeof OPEN_DATA_FILES)[number];

export interface OpenDataSettings {
  /** Smallest group a published cell may reveal (OPEN_DATA_MIN_CELL, ≥ 10). */
  threshold: number;
  /** How many settled months to publish (OPEN_DATA_MONTHS). */
  months: number;
  settleDays: number;
  title: string;
  publisher: string;
  publisherUrl?: string | undefined;
  license: string;
  licenseUrl: string;
  /** "HH:MM" Vietnam time of the nightly generation. */
  refreshAt: string;
  /** For absolute download URLs in the catalogue (relative without it). */
  publicUrl?: string | undefined;
  /** Satisfaction target in percent (the reports' gap-to-target). */
  target: number;
}

export interface GeneratedFile {
  name: OpenDataFileName;
  contentType: string;
  body: string;
  etag: string;
}

export interface Generation {
  generatedAt: Date;
  files: GeneratedFile[];
}

const DAY_MS = 86_400_000;
const VN_OFFSET_MS = 7 * 3_600_000;

/** The published months: the last `months` months that ended at least `settleDays` ago (Vietnam calendar). */
export function publishedMonths(now: Date, months: number, settleDays: number): { first: string; last: string; from: string; to: string } {
  const local = new Date(now.getTime() + VN_OFFSET_MS - settleDays * DAY_MS);
  // The month containing (now − settle) is not settled yet; the one before it is the last.
  let y = local.getUTCFullYear();
  let m = local.getUTCMonth(); // 0-based: the previous month, 1-based
  if (m === 0) {
    y -= 1;
    m = 12;
  }
  const last = { y, m };
  const firstIndex = last.y * 12 + (last.m - 1) - (months - 1);
  const first = { y: Math.floor(firstIndex / 12), m: (firstIndex % 12) + 1 };
  const ym = (p: { y: number; m: number }) => `${p.y}-${String(p.m).padStart(2, "0")}`;
  const lastDay = new Date(Date.UTC(last.y, last.m, 0)).getUTCDate();
  return { first: ym(first), last: ym(last), from: `${ym(first)}-01`, to: `${ym(last)}-${String(lastDay).padStart(2, "0")}` };
}

interface UnitKey {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
}

interface ColumnDoc {
  name: string;
  type: "text" | "integer" | "number" | "boolean";
  vi: string;
  en: string;
}

const UNIT_COLUMNS: ColumnDoc[] = [
  { name: "month", type: "text", vi: "Tháng (YYYY-MM, giờ Việt Nam)", en: "Month (YYYY-MM, Vietnam time)" },
  { name: "unit_code", type: "text", vi: "Mã đơn vị (QCVN 102:2016)", en: "Unit code (QCVN 102:2016)" },
  { name: "unit_name", type: "text", vi: "Tên đơn vị", en: "Unit name" },
  { name: "unit_level", type: "text", vi: "Cấp đơn vị: province | district | ward | department", en: "Unit level" },
  { name: "parent_unit_code", type: "text", vi: "Mã đơn vị cấp trên; số liệu của đơn vị cấp trên gồm cả các đơn vị trực thuộc", en: "Parent unit; a unit's figures include every unit below it" },
];

const SUPPRESSED_COLUMN: ColumnDoc = {
  name: "suppressed",
  type: "boolean",
  vi: "true: ô bị ẩn vì nhóm dưới ngưỡng (hoặc để không suy ra được nhóm nhỏ bằng phép trừ); các cột số để trống",
  en: "true: figures withheld (a group below the threshold, or one that subtraction would reveal); number columns empty",
};

export const SATISFACTION_COLUMNS: ColumnDoc[] = [
  ...UNIT_COLUMNS,
  { name: "responses", type: "integer", vi: "Số lượt đánh giá (n)", en: "Number of ratings (n)" },
  { name: "satisfied_pct", type: "number", vi: "Tỷ lệ hài lòng = (rất hài lòng + hài lòng) / n × 100", en: "Satisfied share = (very satisfied + satisfied) / n × 100" },
  { name: "ci95_low", type: "number", vi: "Cận dưới khoảng tin cậy Wilson 95% (%)", en: "Wilson 95% interval, lower bound (%)" },
  { name: "ci95_high", type: "number", vi: "Cận trên khoảng tin cậy Wilson 95% (%)", en: "Wilson 95% interval, upper bound (%)" },
  { name: "d766_dossiers", type: "integer", vi: "Số hồ sơ tính chỉ số Quyết định 766 (giải quyết xong hoặc đến hạn trong tháng)", en: "Dossiers counted for Decision 766 (finished or due in the month)" },
  { name: "d766_s_pct", type: "number", vi: "S = 100% − (% quá hạn + % hồ sơ bị phản ánh/không hài lòng), Quyết định 766/QĐ-TTg", en: "Decision 766 S = 100% − (overdue % + complaint / not-satisfied %)" },
  { name: "d766_score", type: "number", vi: "Điểm thành phần trên thang 1 (đủ điểm khi S ≥ 90%)", en: "Indicator score out of 1 (full marks when S ≥ 90%)" },
  SUPPRESSED_COLUMN,
];

export const TIMELINESS_COLUMNS: ColumnDoc[] = [
  ...UNIT_COLUMNS,
  { name: "received", type: "integer", vi: "Hồ sơ tiếp nhận trong tháng", en: "Dossiers received in the month" },
  { name: "finished", type: "integer", vi: "Hồ sơ giải quyết xong trong tháng (kể cả từ chối, dừng, rút)", en: "Dossiers finished in the month (incl. refused, stopped, withdrawn)" },
  { name: "finished_on_time", type: "integer", vi: "Giải quyết xong đúng hạn", en: "Finished on time" },
  { name: "finished_late", type: "integer", vi: "Giải quyết xong trễ hạn", en: "Finished late" },
  { name: "open_past_due", type: "integer", vi: "Chưa xong và đã quá ngày hẹn trong tháng", en: "Not finished and past the appointment that fell in the month" },
  { name: "on_time_pct", type: "number", vi: "Tỷ lệ đúng hạn = đúng hạn / giải quyết xong × 100", en: "On-time share = on time / finished × 100" },
  { name: "overdue_national", type: "integer", vi: "Quá hạn theo cách tính quốc gia (trễ + quá hạn + bổ sung hơn một lần)", en: "Overdue by the national rule (late + past due + more than one supplement request)" },
  { name: "stopped", type: "integer", vi: "Từ chối, dừng xử lý hoặc rút hồ sơ", en: "Refused, suspended or withdrawn" },
  SUPPRESSED_COLUMN,
];

type Row = Record<string, string | number | boolean | null>;

function unitCells(key: Record<string, unknown>): { month: string; unit: UnitKey } {
  return { month: String(key.period), unit: key.unit as UnitKey };
}

/** Suppress per month, then blank the hidden rows' figures. */
function applySuppression<T extends { month: string; unit: UnitKey; bases: number[]; row: Row }>(items: T[], threshold: number, figures: string[]): Row[] {
  const byMonth = new Map<string, T[]>();
  for (const it of items) byMonth.set(it.month, [...(byMonth.get(it.month) ?? []), it]);
  const out: Row[] = [];
  for (const [, list] of [...byMonth.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const cells: Cell[] = list.map((it) => ({ id: it.unit.code, parent: it.unit.parentCode, bases: it.bases }));
    const hidden = suppressedCells(cells, threshold);
    for (const it of [...list].sort((a, b) => (a.unit.code < b.unit.code ? -1 : 1))) {
      const row: Row = { ...it.row, suppressed: hidden.has(it.unit.code) };
      if (row.suppressed) for (const f of figures) row[f] = null;
      out.push(row);
    }
  }
  return out;
}

const unitRow = (month: string, u: UnitKey): Row => ({
  month,
  unit_code: u.code,
  unit_name: u.name,
  unit_level: u.level,
  parent_unit_code: u.parentCode,
});

export async function satisfactionRows(prisma: PrismaClient, s: OpenDataSettings, now: Date): Promise<Row[]> {
  const range = publishedMonths(now, s.months, s.settleDays);
  const report = await satisfactionIndex(prisma, satisfactionQuerySchema.parse({ from: range.from, to: range.to, groupBy: "unit,month" }), {
    target: s.target,
    now,
  });
  const items = report.groups.map((g) => {
    const { month, unit } = unitCells(g.key);
    const d = g.decision766;
    return {
      month,
      unit,
      bases: [g.rated, d?.dossiers ?? 0],
      row: {
        ...unitRow(month, unit),
        responses: g.rated,
        satisfied_pct: g.satisfactionPct,
        ci95_low: g.ci95?.low ?? null,
        ci95_high: g.ci95?.high ?? null,
        d766_dossiers: d?.dossiers ?? 0,
        d766_s_pct: d?.s ?? null,
        d766_score: d?.score ?? null,
      },
    };
  });
  return applySuppression(items, s.threshold, ["responses", "satisfied_pct", "ci95_low", "ci95_high", "d766_dossiers", "d766_s_pct", "d766_score"]);
}

export async function timelinessRows(prisma: PrismaClient, s: OpenDataSettings, now: Date): Promise<Row[]> {
  const range = publishedMonths(now, s.months, s.settleDays);
  const report = await timelinessReport(prisma, timelinessQuerySchema.parse({ from: range.from, to: range.to, groupBy: "unit,month" }), { now });
  const items = report.groups.map((g) => {
    const { month, unit } = unitCells(g.key);
    return {
      month,
      unit,
      bases: [g.received, g.finished + g.openPastDue],
      row: {
        ...unitRow(month, unit),
        received: g.received,
        finished: g.finished,
        finished_on_time: g.finishedOnTime,
        finished_late: g.finishedLate,
        open_past_due: g.openPastDue,
        on_time_pct: g.onTimePct,
        overdue_national: g.overdueNationally,
        stopped: g.refused + g.suspended + g.withdrawn,
      },
    };
  });
  return applySuppression(items, s.threshold, ["received", "finished", "finished_on_time", "finished_late", "open_past_due", "on_time_pct", "overdue_national", "stopped"]);
}

async function toCsv(columns: ColumnDoc[], rows: Row[]): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const cols: Column[] = columns.map((c) => ({ header: c.name, type: c.type === "text" ? "text" : "number", width: 12 }) as Column);
  const w = csvWriter(out, cols);
  await w.rows(rows.map((r) => columns.map((c): CellValue => {
    const v = r[c.name];
    return typeof v === "boolean" ? String(v) : (v ?? null);
  })));
  await w.end();
  return Buffer.concat(chunks).toString("utf8");
}

const etagOf = (body: string) => createHash("sha256").update(body, "utf8").digest("base64url");

function file(name: OpenDataFileName, contentType: string, body: string): GeneratedFile {
  return { name, contentType, body, etag: etagOf(body) };
}

/** Every open-data file, from the database as it is now. */
export async function generateOpenData(prisma: PrismaClient, s: OpenDataSettings, now = new Date()): Promise<Generation> {
  const range = publishedMonths(now, s.months, s.settleDays);
  const [satisfaction, timeliness] = await Promise.all([satisfactionRows(prisma, s, now), timelinessRows(prisma, s, now)]);
  const meta = (dataset: string) => ({
    dataset,
    generatedAt: now.toISOString(),
    months: { first: range.first, last: range.last },
    minCellSize: s.threshold,
    license: s.licenseUrl,
  });
  const files = [
    file("satisfaction.csv", "text/csv; charset=utf-8; header=present", await toCsv(SATISFACTION_COLUMNS, satisfaction)),
    file("satisfaction.json", "application/json; charset=utf-8", JSON.stringify({ ...meta("satisfaction"), rows: satisfaction }) + "\n"),
    file("timeliness.csv", "text/csv; charset=utf-8; header=present", await toCsv(TIMELINESS_COLUMNS, timeliness)),
    file("timeliness.json", "application/json; charset=utf-8", JSON.stringify({ ...meta("timeliness"), rows: timeliness }) + "\n"),
  ];
  files.unshift(file("catalog.json", "application/ld+json; charset=utf-8", JSON.stringify(catalog(s, now, range), null, 2) + "\n"));
  return { generatedAt: now, files };
}

function catalog(s: OpenDataSettings, now: Date, range: { first: string; last: string; from: string; to: string }): Record<string, unknown> {
  const base = s.publicUrl ? s.publicUrl.replace(/\/+$/, "") : "";
  const publisher = { "@type": "foaf:Agent", "foaf:name": s.publisher, ...(s.publisherUrl ? { "foaf:homepage": s.publisherUrl } : {}) };
  const [hh, mm] = s.refreshAt.split(":");
  const dataset = (id: "satisfaction" | "timeliness", title: string, description: string, keywords: string[], columns: ColumnDoc[]) => ({
    "@type": "dcat:Dataset",
    "dct:identifier": id,
    "dct:title": title,
    "dct:description": description,
    "dcat:keyword": keywords,
    "dct:publisher": publisher,
    "dct:license": s.licenseUrl,
    "dct:modified": now.toISOString(),
    "dct:accrualPeriodicity": "http://purl.org/cld/freq/daily",
    "dct:temporal": { "@type": "dct:PeriodOfTime", "dcat:startDate": range.from, "dcat:endDate": range.to },
    "dcat:temporalResolution": "P1M",
    "dct:language": ["vi", "en"],
    "dcat:distribution": (["csv", "json"] as const).map((fmt) => ({
      "@type": "dcat:Distribution",
      "dct:title": `${id}.${fmt}`,
      "dcat:downloadURL": `${base}/open-data/${id}.${fmt}`,
      "dcat:mediaType": fmt === "csv" ? "text/csv" : "application/json",
      "dct:license": s.licenseUrl,
    })),
    "csvw:tableSchema": {
      "csvw:column": columns.map((c) => ({ "csvw:name": c.name, "csvw:datatype": c.type, "dct:description": { vi: c.vi, en: c.en } })),
    },
    "dct:conformsTo": `Cells of fewer than ${s.threshold} (and cells that subtraction from totals or other cells would reveal) are withheld; only months settled for ${s.settleDays} days are published.`,
  });
  return {
    "@context": {
      dcat: "http://www.w3.org/ns/dcat#",
      dct: "http://purl.org/dc/terms/",
      foaf: "http://xmlns.com/foaf/0.1/",
      csvw: "http://www.w3.org/ns/csvw#",
    },
    "@type": "dcat:Catalog",
    "dct:title": s.title,
    "dct:description":
      "Mức độ hài lòng của người dân và tiến độ giải quyết hồ sơ thủ tục hành chính theo đơn vị và tháng. Satisfaction with administrative-procedure services and timeliness of dossier handling, per unit and month.",
    "dct:publisher": publisher,
    "dct:license": s.licenseUrl,
    "dct:rights": s.license,
    "dct:modified": now.toISOString(),
    "dct:accrualPeriodicity": "http://purl.org/cld/freq/daily",
    updateSchedule: `daily at ${hh}:${mm} Asia/Ho_Chi_Minh`,
    "dcat:dataset": [
      dataset(
        "satisfaction",
        "Chỉ số hài lòng theo đơn vị và tháng / Satisfaction index per unit and month",
        "Số lượt đánh giá, tỷ lệ hài lòng với khoảng tin cậy Wilson 95% và chỉ số S của Quyết định 766/QĐ-TTg. Ratings, satisfied share with its Wilson 95% interval, and the Decision 766 indicator.",
        ["hài lòng", "satisfaction", "SIPAS", "Quyết định 766", "một cửa"],
        SATISFACTION_COLUMNS,
      ),
      dataset(
        "timeliness",
        "Tiến độ giải quyết hồ sơ theo đơn vị và tháng / Timeliness per unit and month",
        "Hồ sơ tiếp nhận, giải quyết đúng hạn, trễ hạn, quá hạn và bị từ chối/dừng/rút. Dossiers received, finished on time or late, past due, and refused/stopped/withdrawn.",
        ["trễ hạn", "timeliness", "hồ sơ", "một cửa"],
        TIMELINESS_COLUMNS,
      ),
    ],
  };
}
