// Demo data for a first look (`npm start` with no DATABASE_URL): clearly marked, fictitious,
// under the made-up province code H99 so it can never be mistaken for a real unit.
import type { AppContext } from "../context.ts";
import type { DossierInput } from "../core/dossier-schemas.ts";

export const DEMO_APPLICANT = { name: "Nguyễn Văn Demo", phone: "0900000001", idNumber: "099000001234" } as const;
export const DEMO_APPLICANT_2 = { name: "Trần Thị Demo", phone: "0900000002", idNumber: "099000005678" } as const;

const PROVINCE = { code: "000.00.00.H99", name: "[DEMO] Tỉnh Thử Nghiệm" };
const WARD = { code: "000.00.15.H99", name: "[DEMO] UBND phường Cam Lộc (dữ liệu mẫu)" };
const CITY = { code: "000.00.01.H99", name: "[DEMO] Bộ phận một cửa TP. Thử Nghiệm (dữ liệu mẫu)" };

const LAND = { fieldCode: "DEMO-DD", fieldName: "[DEMO] Đất đai", procedureCode: "DEMO.004227", procedureName: "[DEMO] Đăng ký biến động quyền sử dụng đất", procedureDurationDays: 10 };
const HOUSEHOLD = { fieldCode: "DEMO-HT", fieldName: "[DEMO] Hộ tịch", procedureCode: "DEMO.000894", procedureName: "[DEMO] Đăng ký khai sinh", procedureDurationDays: 3 };
const BUSINESS = { fieldCode: "DEMO-KD", fieldName: "[DEMO] Hộ kinh doanh", procedureCode: "DEMO.001612", procedureName: "[DEMO] Đăng ký thành lập hộ kinh doanh", procedureDurationDays: 5 };

/** Working-day offsets relative to today, so the demo always shows live deadlines. */
interface DemoDossier {
  seq: string;
  unit: typeof WARD;
  proc: typeof LAND;
  daysAgo: number;
  status: number;
  step?: string;
  extra?: Partial<DossierInput>;
  applicant?: typeof DEMO_APPLICANT | typeof DEMO_APPLICANT_2;
}

const DOSSIERS: DemoDossier[] = [
  { seq: "0001", unit: WARD, proc: LAND, daysAgo: 3, status: 4, step: "Thẩm định hồ sơ" },
  { seq: "0002", unit: WARD, proc: LAND, daysAgo: 25, status: 4, step: "Chờ ký duyệt" },
  { seq: "0003", unit: CITY, proc: BUSINESS, daysAgo: 2, status: 5, extra: { supplementReason: "Thiếu bản sao hợp đồng thuê nhà có chứng thực" } },
  { seq: "0004", unit: WARD, proc: HOUSEHOLD, daysAgo: 2, status: 9, extra: { returnMethod: "counter" } },
  { seq: "0005", unit: CITY, proc: BUSINESS, daysAgo: 4, status: 6, extra: { feeAmount: 100000 } },
  { seq: "0006", unit: WARD, proc: HOUSEHOLD, daysAgo: 10, status: 10, extra: { returnMethod: "postal" } },
  { seq: "0007", unit: CITY, proc: LAND, daysAgo: 6, status: 3, extra: { stopReason: "Hồ sơ không thuộc thẩm quyền giải quyết" }, applicant: DEMO_APPLICANT_2 },
  { seq: "0008", unit: WARD, proc: LAND, daysAgo: 1, status: 2, applicant: DEMO_APPLICANT_2 },
];

function demoCode(unitCode: string, received: Date, seq: string): string {
  const local = new Date(received.getTime() + 7 * 3_600_000);
  const yymmdd = local.toISOString().slice(2, 10).replace(/-/g, "");
  return `${unitCode}-${yymmdd}-${seq}`;
}

/** Seeds only an empty database; returns the codes created (empty when skipped). */
export async function seedDemoData(ctx: AppContext, now = new Date()): Promise<string[]> {
  const { prisma } = ctx;
  if ((await prisma.dossier.count()) > 0 || (await prisma.unit.count()) > 0) return [];
  await prisma.unit.create({ data: { code: PROVINCE.code, name: PROVINCE.name, level: "province", demo: true } });
  const province = await prisma.unit.findUniqueOrThrow({ where: { code: PROVINCE.code } });
  for (const u of [CITY, WARD])
    await prisma.unit.create({
      data: {
        code: u.code,
        name: u.name,
        level: "ward",
        parentId: province.id,
        demo: true,
        hotline: "0258 3 000 000 (demo)",
        address: "Số 1 đường Thử Nghiệm (demo)",
        openingHours: "Thứ 2 – Thứ 6: 07:00–11:30, 13:30–17:00",
      },
    });
  const cal = await ctx.calendar.get();
  const codes: string[] = [];
  for (const d of DOSSIERS) {
    const received = cal.addWorkingMinutes(now, -d.daysAgo * cal.minutesPerWorkingDay);
    const code = demoCode(d.unit.code, received, d.seq);
    const applicant = d.applicant ?? DEMO_APPLICANT;
    await ctx.dossiers.upsert(
      code,
      {
        unitCode: d.unit.code,
        unitName: d.unit.name,
        ...d.proc,
        applicant: { ...applicant },
        receivedAt: received.toISOString(),
        status: d.status,
        currentStep: d.step ?? null,
        ...d.extra,
      },
      "demo-seed",
    );
    codes.push(code);
  }
  await prisma.unit.updateMany({ data: { demo: true } });
  await prisma.field.updateMany({ data: { demo: true } });
  await prisma.procedure.updateMany({ data: { demo: true } });
  await prisma.dossier.updateMany({ data: { demo: true } });
  await prisma.auditLog.create({ data: { actor: "system", action: "demo.seed", details: { dossiers: codes.length } } });
  return codes;
}
