// The XLSX export's second sheet: the satisfaction index by unit for the export's own
// filters (every unit with ratings below it, the roll-up rows included, then the total),
// with the Wilson interval and the Decision 766 S and score — read from the aggregates.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { ResolvedFilters } from "../stats/filters.ts";
import { satisfactionIndex, satisfactionQuerySchema, type SatisfactionRow } from "../stats/satisfaction.ts";
import type { CellValue } from "./feedback-rows.ts";
import type { HeaderLanguage } from "./writers.ts";
import type { ExtraSheet, SheetSpec } from "./xlsx.ts";

type Col = SheetSpec["columns"][number] & { vi: string };

const COLUMNS: Col[] = [
  { header: "unit_code", vi: "Mã đơn vị", width: 16, type: "text" },
  { header: "unit_name", vi: "Tên đơn vị", width: 32, type: "text" },
  { header: "level", vi: "Cấp", width: 10, type: "text" },
  { header: "rated", vi: "Số đánh giá", width: 10, type: "number" },
  { header: "very_satisfied", vi: "Rất hài lòng", width: 10, type: "number" },
  { header: "satisfied", vi: "Hài lòng", width: 10, type: "number" },
  { header: "not_satisfied", vi: "Không hài lòng", width: 10, type: "number" },
  { header: "satisfaction_pct", vi: "Tỷ lệ hài lòng (%)", width: 12, type: "percent" },
  { header: "ci95_low_pct", vi: "Khoảng tin cậy 95%: thấp", width: 12, type: "percent" },
  { header: "ci95_high_pct", vi: "Khoảng tin cậy 95%: cao", width: 12, type: "percent" },
  { header: "gap_to_target_pct", vi: "Chênh lệch so với mục tiêu (%)", width: 12, type: "percent" },
  { header: "small_sample", vi: "Mẫu nhỏ", width: 8, type: "number" },
  { header: "invited", vi: "Số lời mời", width: 10, type: "number" },
  { header: "response_rate_pct", vi: "Tỷ lệ phản hồi (%)", width: 12, type: "percent" },
  { header: "d766_dossiers", vi: "QĐ 766: số hồ sơ", width: 10, type: "number" },
  { header: "d766_overdue", vi: "QĐ 766: trễ hạn", width: 10, type: "number" },
  { header: "d766_dissatisfied", vi: "QĐ 766: không hài lòng hoặc khiếu nại", width: 12, type: "number" },
  { header: "d766_s_pct", vi: "QĐ 766: S (%)", width: 10, type: "percent" },
  { header: "d766_score", vi: "QĐ 766: điểm", width: 10, type: "number" },
];

const LEVELS: Record<string, string> = { province: "tỉnh", city: "thành phố", district: "huyện", ward: "xã/phường" };

function cells(r: SatisfactionRow, code: string | null, name: string, level: string | null): CellValue[] {
  const d = r.decision766;
  return [
    code,
    name,
    level,
    r.rated,
    r.verySatisfied,
    r.satisfied,
    r.notSatisfied,
    r.satisfactionPct,
    r.ci95?.low ?? null,
    r.ci95?.high ?? null,
    r.gapToTargetPct,
    r.smallSample ? 1 : 0,
    r.invited,
    r.responseRatePct,
    d?.dossiers ?? null,
    d?.overdue ?? null,
    d?.dissatisfied ?? null,
    d?.s ?? null,
    d?.score ?? null,
  ];
}

export async function summarySheet(prisma: PrismaClient, f: ResolvedFilters, headers: HeaderLanguage, target: number): Promise<ExtraSheet> {
  const q = satisfactionQuerySchema.parse({ ...f.echo, groupBy: "unit" });
  const report = await satisfactionIndex(prisma, q, { target });
  const vi = headers === "vi";
  const rows = report.groups.map((g) => {
    const u = (g.key as { unit: { code: string; name: string; level: string } }).unit;
    return cells(g, u.code, u.name, vi ? (LEVELS[u.level] ?? u.level) : u.level);
  });
  rows.push(cells(report.totals, null, vi ? "Toàn bộ (theo bộ lọc)" : "All (as filtered)", null));
  return {
    spec: { name: vi ? "Tổng hợp" : "summary", columns: COLUMNS },
    header: COLUMNS.map((c) => (vi ? c.vi : c.header)),
    rows,
  };
}
