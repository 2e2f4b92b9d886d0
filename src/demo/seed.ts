// Demo data for a first look (`npm start` with no DATABASE_URL): clearly marked, fictitious,
// under the made-up province code H99 so it can never be mistaken for a real unit.
import type { AppContext } from "../app/context.ts";
import type { WorkingCalendar } from "../core/calendar.ts";
import type { DossierInput } from "../core/dossier-schemas.ts";
import { maskIdNumber } from "../core/identity.ts";
import { currentSurvey } from "../core/survey/versions.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { insertRows } from "./bulk.ts";
import { DEMO_PROCEDURES, DEMO_PROVINCE, DEMO_UNITS, demoHistory, type DemoHistoryDossier, type ProcedureKey } from "./history.ts";

export const DEMO_APPLICANT = { name: "Nguyễn Văn Demo", phone: "0900000001", idNumber: "099000001234" } as const;
export const DEMO_APPLICANT_2 = { name: "Trần Thị Demo", phone: "0900000002", idNumber: "099000005678" } as const;

/** API keys made for the demo database on its first start (printed once). */
export const DEMO_KEYS = [
  { role: "staff", name: "[DEMO] Chị Lan – cán bộ một cửa" },
  { role: "staff", name: "[DEMO] Anh Minh – cán bộ phê duyệt thông báo" },
  { role: "analyst", name: "[DEMO] Chị Hà – phân tích" },
] as const;

const PROVINCE = DEMO_PROVINCE;
const CITY = DEMO_UNITS[0]!;
const WARD = DEMO_UNITS[1]!;

const LAND = DEMO_PROCEDURES.land;
const HOUSEHOLD = DEMO_PROCEDURES.birth;
const BUSINESS = DEMO_PROCEDURES.business;

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
  // Cam Phú is slow with land dossiers: this one heads the at-risk list ("thường mất … ngày làm việc, còn 3").
  { seq: "0009", unit: DEMO_UNITS[4]!, proc: LAND, daysAgo: 7, status: 4, step: "Xác minh thực địa", applicant: DEMO_APPLICANT_2 },
];

function demoCode(unitCode: string, received: Date, seq: string): string {
  const local = new Date(received.getTime() + 7 * 3_600_000);
  const yymmdd = local.toISOString().slice(2, 10).replace(/-/g, "");
  return `${unitCode}-${yymmdd}-${seq}`;
}

const FINISHED_DEMO = new Set([3, 7, 8, 9, 10]);

/** Seeds only an empty database; returns the codes created for the demo applicants (empty when skipped). */
export async function seedDemoData(ctx: AppContext, now = new Date()): Promise<string[]> {
  const { prisma } = ctx;
  if ((await prisma.dossier.count()) > 0 || (await prisma.unit.count()) > 0) return [];
  const cal = await ctx.calendar.get();
  const history = demoHistory(cal, now);
  const fixed = DOSSIERS.map((d) => fixedDossier(d, ctx, cal, now));
  let total = 0;
  await prisma.$transaction(
    async (tx) => {
      const db = tx as unknown as PrismaClient;
      const province = await tx.unit.create({ data: { code: PROVINCE.code, name: PROVINCE.name, level: "province", demo: true } });
      await tx.unit.createMany({
        data: DEMO_UNITS.map((u) => ({
          code: u.code,
          name: u.name,
          level: u.level,
          parentId: province.id,
          demo: true,
          hotline: "0258 3 000 000 (demo)",
          address: "Số 1 đường Thử Nghiệm (demo)",
          openingHours: "Thứ 2 – Thứ 6: 07:00–11:30, 13:30–17:00",
        })),
      });
      const fieldsByCode = new Map<string, string>(Object.values(DEMO_PROCEDURES).map((p) => [p.fieldCode, p.fieldName]));
      await tx.field.createMany({ data: [...fieldsByCode].map(([code, name]) => ({ code, name, demo: true })) });
      const fieldIds = new Map((await tx.field.findMany({ select: { id: true, code: true } })).map((f) => [f.code, f.id]));
      await tx.procedure.createMany({
        data: Object.values(DEMO_PROCEDURES).map((p) => ({
          code: p.procedureCode,
          name: p.procedureName,
          durationDays: p.procedureDurationDays,
          fieldId: fieldIds.get(p.fieldCode)!,
          demo: true,
        })),
      });
      total = await insertDossiers(db, [...fixed, ...history], now);
      await tx.auditLog.create({ data: { actor: "system", action: "demo.seed", details: { dossiers: total } } });
    },
    { timeout: 120_000 },
  );
  return fixed.map((d) => d.code);
}

/** The hand-written dossiers of the demo applicants, as rows (identity hashed as a sync would). */
function fixedDossier(d: DemoDossier, ctx: AppContext, cal: WorkingCalendar, now: Date): DemoHistoryDossier & { identity: Identity } {
  const received = cal.addWorkingMinutes(now, -d.daysAgo * cal.minutesPerWorkingDay);
  const code = demoCode(d.unit.code, received, d.seq);
  const applicant = d.applicant ?? DEMO_APPLICANT;
  const id = applicant.idNumber;
  const appointment = cal.appointmentDate(received, d.proc.procedureDurationDays);
  const finished = FINISHED_DEMO.has(d.status);
  const finishedAt = finished ? cal.addWorkingMinutes(received, Math.min(d.daysAgo * 0.8, d.proc.procedureDurationDays * 0.7) * cal.minutesPerWorkingDay) : null;
  const statusAt = finishedAt ?? cal.addWorkingMinutes(now, -0.3 * cal.minutesPerWorkingDay);
  const returnedAt = d.status === 10 ? cal.addWorkingMinutes(finishedAt!, 0.5 * cal.minutesPerWorkingDay) : null;
  const supplement = d.status === 5;
  const procedure = (Object.entries(DEMO_PROCEDURES).find(([, p]) => p.procedureCode === d.proc.procedureCode)?.[0] ?? "land") as ProcedureKey;
  return {
    code,
    unitCode: d.unit.code,
    procedure,
    applicantName: applicant.name,
    receivedAt: received,
    appointmentAt: appointment,
    originalAppointmentAt: appointment,
    status: d.status,
    statusAt: returnedAt ?? statusAt,
    currentStep: d.step ?? null,
    feeStatus: d.status === 6 ? "due" : "none",
    feeAmount: d.extra?.feeAmount ?? null,
    supplementCount: supplement ? 1 : 0,
    supplementReason: d.extra?.supplementReason ?? null,
    supplementRequestedAt: supplement ? statusAt : null,
    stopReason: d.extra?.stopReason ?? null,
    finishedAt,
    returnedAt,
    events: [
      { status: 2, at: received },
      ...(d.status !== 2 ? [{ status: d.status, at: returnedAt ?? statusAt, ...(d.extra?.stopReason || d.extra?.supplementReason ? { reason: (d.extra.stopReason ?? d.extra.supplementReason)! } : {}) }] : []),
    ],
    apology: null,
    invitedAt: null,
    rating: null,
    identity: {
      phone: applicant.phone,
      idHash: ctx.hasher.idHash(id),
      last4Hash: ctx.hasher.last4Hash(code, id.slice(-4)),
      masked: maskIdNumber(id),
      returnMethod: d.extra?.returnMethod ?? "counter",
    },
  };
}

interface Identity {
  phone: string;
  idHash: string;
  last4Hash: string;
  masked: string;
  returnMethod: "counter" | "postal" | "online";
}

const TS = "timestamp(3)";

/** Dossiers, their history, apologies, and the survey answers, one statement per table. */
async function insertDossiers(db: PrismaClient, rows: (DemoHistoryDossier & { identity?: Identity })[], now: Date): Promise<number> {
  const units = new Map((await db.unit.findMany({ select: { id: true, code: true } })).map((u) => [u.code, u.id]));
  const procedures = new Map((await db.procedure.findMany({ select: { id: true, code: true } })).map((p) => [p.code, p.id]));
  const created = await insertRows<{ id: number; code: string }>(
    db,
    "Dossier",
    {
      code: "text", unitId: "int", procedureId: "int", applicantName: "text", applicantPhone: "text", applicantIdHash: "text",
      applicantIdLast4Hash: "text", applicantIdMasked: "text", receivedAt: TS, appointmentAt: TS, appointmentComputed: "boolean",
      originalAppointmentAt: TS, status: "int", statusAt: TS, currentStep: "text", returnMethod: '"ReturnMethod"', feeStatus: '"FeeStatus"',
      feeAmount: "int", supplementCount: "int", supplementReason: "text", supplementRequestedAt: TS, stopReason: "text",
      finishedAt: TS, returnedAt: TS, demo: "boolean", updatedAt: TS,
    },
    rows.map((d) => ({
      code: d.code,
      unitId: units.get(d.unitCode)!,
      procedureId: procedures.get(DEMO_PROCEDURES[d.procedure].procedureCode)!,
      applicantName: d.applicantName,
      applicantPhone: d.identity?.phone ?? null,
      applicantIdHash: d.identity?.idHash ?? null,
      applicantIdLast4Hash: d.identity?.last4Hash ?? null,
      applicantIdMasked: d.identity?.masked ?? null,
      receivedAt: d.receivedAt,
      // An open dossier that was apologised for runs to its new date.
      appointmentAt: d.apology && !FINISHED_DEMO.has(d.status) ? d.apology.newAppointmentAt : d.appointmentAt,
      appointmentComputed: true,
      originalAppointmentAt: d.originalAppointmentAt,
      status: d.status,
      statusAt: d.statusAt,
      currentStep: d.currentStep,
      returnMethod: d.identity?.returnMethod ?? "counter",
      feeStatus: d.feeStatus,
      feeAmount: d.feeAmount,
      supplementCount: d.supplementCount,
      supplementReason: d.supplementReason,
      supplementRequestedAt: d.supplementRequestedAt,
      stopReason: d.stopReason,
      finishedAt: d.finishedAt,
      returnedAt: d.returnedAt,
      demo: true,
      updatedAt: now,
    })),
    ["id", "code"],
  );
  const idOf = new Map(created.map((d) => [d.code, d.id]));
  await insertRows(
    db,
    "DossierStatusEvent",
    { dossierId: "int", eventId: "text", status: "int", at: TS, note: "text", reason: "text", source: "text", applied: "boolean" },
    rows.flatMap((d) =>
      d.events.map((e, i) => ({ dossierId: idOf.get(d.code)!, eventId: `demo:${i}`, status: e.status, at: e.at, note: e.note ?? null, reason: e.reason ?? null, source: "demo", applied: true })),
    ),
  );
  await insertRows(
    db,
    "AuditLog",
    { at: TS, actor: "text", action: "text", target: "text", details: "jsonb" },
    rows
      .filter((d) => d.apology)
      .map((d) => ({
        at: d.apology!.at,
        actor: "demo-seed",
        action: "notice.apology",
        target: d.code,
        details: { reason: d.apology!.reason, newAppointmentAt: d.apology!.newAppointmentAt.toISOString(), accounts: 0 },
      })),
  );

  // Survey: one made-up citizen per invited dossier (no phone, no chat account).
  const invited = rows.filter((d) => d.invitedAt);
  const survey = await currentSurvey(db);
  const citizens = await insertRows<{ id: number }>(db, "Citizen", { language: "text", updatedAt: TS }, invited.map(() => ({ language: "vi", updatedAt: now })), ["id"]);
  const latest = new Date(now.getTime() - 60_000);
  const invitations = await insertRows<{ id: number; dossierId: number; citizenId: number }>(
    db,
    "SurveyInvitation",
    { dossierId: "int", citizenId: "int", surveyVersionId: "int", channel: '"Channel"', state: '"InvitationState"', invitedAt: TS, expiresAt: TS },
    invited.map((d, i) => ({
      dossierId: idOf.get(d.code)!,
      citizenId: citizens[i]!.id,
      surveyVersionId: survey.id,
      channel: d.rating?.channel ?? (i % 2 ? "zalo" : "telegram"),
      state: d.rating ? "completed" : d.invitedAt!.getTime() < now.getTime() - 7 * 86_400_000 ? "expired" : "sent",
      invitedAt: d.invitedAt!,
      expiresAt: new Date(d.invitedAt!.getTime() + 7 * 86_400_000),
    })),
    ["id", "dossierId", "citizenId"],
  );
  const invitationOf = new Map(invitations.map((x) => [x.dossierId, x]));
  await insertRows(
    db,
    "FeedbackResponse",
    {
      invitationId: "int", dossierId: "int", citizenId: "int", channel: '"Channel"', surveyVersionId: "int", overall: '"SatisfactionLevel"',
      visits: "int", onTime: "boolean", staffAttitude: "text", reasons: "text[]", comment: "text", answers: "jsonb",
      firstAnsweredAt: TS, updatedAt: TS, editableUntil: TS,
    },
    invited
      .filter((d) => d.rating)
      .map((d) => {
        const r = d.rating!;
        const inv = invitationOf.get(idOf.get(d.code)!)!;
        const at = r.at > latest ? latest : r.at;
        return {
          invitationId: inv.id,
          dossierId: inv.dossierId,
          citizenId: inv.citizenId,
          channel: r.channel,
          surveyVersionId: survey.id,
          overall: r.overall,
          visits: r.visits,
          onTime: r.onTime,
          staffAttitude: r.staffAttitude,
          reasons: r.reasons,
          comment: r.comment,
          answers: {
            overall: r.overall,
            ...(r.reasons.length ? { reasons: r.reasons } : {}),
            ...(r.comment ? { comment: r.comment } : {}),
            visits: String(Math.min(3, r.visits)),
            on_time: r.onTime ? "yes" : "no",
            staff_attitude: r.staffAttitude,
          },
          firstAnsweredAt: at,
          updatedAt: at,
          editableUntil: new Date(at.getTime() + 86_400_000),
        };
      }),
  );
  return rows.length;
}
