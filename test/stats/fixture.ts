// A hand-countable feedback fixture: a province with two wards, two channels, two survey
// versions, January and February 2023. The numbers the tests expect are worked out in the
// comments of satisfaction.test.ts from the table below, not from the code under test.
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { DEFAULT_SURVEY, parseDefinition } from "../../src/core/survey/definition.ts";
import { currentSurvey, publishSurvey } from "../../src/core/survey/versions.ts";

export const PROVINCE = { code: "000.00.00.H32", name: "UBND tỉnh Khánh Hòa" };
export const W1 = { code: "000.00.15.H32", name: "UBND phường Cam Lộc" };
export const W2 = { code: "000.00.16.H32", name: "UBND phường Cam Nghĩa" };

type Level = "very_satisfied" | "satisfied" | "not_satisfied";

/** One returned dossier: who rated it how (or nobody), and whether it was late. */
export interface FixtureDossier {
  unit: "W1" | "W2";
  returnedAt: string;
  overall?: Level;
  reasons?: string[];
  complaint?: boolean;
  late?: boolean;
  supplements?: number;
  version?: 1 | 2;
  channel: "telegram" | "zalo";
  comment?: string;
}

const JAN = "2023-01-16T10:00:00+07:00";
const FEB = "2023-02-15T10:00:00+07:00";

function many(n: number, d: FixtureDossier): FixtureDossier[] {
  return Array.from({ length: n }, () => ({ ...d }));
}

/**
 * W1 (telegram, survey v1): 25 dossiers returned, 20 rated.
 *   January: 10 rated — 5 very, 3 satisfied, 2 not (reasons overdue ×2, one also many_visits)
 *   February: 10 rated — 3 very, 4 satisfied, 3 not (overdue ×2, many_visits ×1, staff_attitude ×1)
 *     one of the "very" ones returned at 00:30 on 1 Feb Vietnam time (still 31 Jan in UTC)
 *   5 invited, never answered (February); 3 of the 25 dossiers were finished late.
 * W2 (zalo): 20 dossiers returned in February, 12 rated — 2 very, 8 satisfied, 2 not
 *   (reasons extra_fees ×2, one also overdue); 4 of the satisfied under survey v2; one
 *   satisfied dossier with a complaint; 1 late, 1 with two supplement requests (on time).
 */
export function fixtureDossiers(): FixtureDossier[] {
  const w1 = (d: Partial<FixtureDossier>): FixtureDossier => ({ unit: "W1", channel: "telegram", returnedAt: JAN, ...d });
  const w2 = (d: Partial<FixtureDossier>): FixtureDossier => ({ unit: "W2", channel: "zalo", returnedAt: FEB, ...d });
  return [
    // W1 January
    ...many(5, w1({ overall: "very_satisfied" })),
    ...many(3, w1({ overall: "satisfied" })),
    w1({ overall: "not_satisfied", reasons: ["overdue", "many_visits"], late: true, comment: "=HYPERLINK(\"http://evil\")" }),
    w1({ overall: "not_satisfied", reasons: ["overdue"], late: true }),
    // W1 February
    w1({ overall: "very_satisfied", returnedAt: "2023-02-01T00:30:00+07:00", comment: "Cán bộ nhiệt tình, hướng dẫn rõ ràng" }),
    ...many(2, w1({ overall: "very_satisfied", returnedAt: FEB })),
    ...many(4, w1({ overall: "satisfied", returnedAt: FEB })),
    w1({ overall: "not_satisfied", reasons: ["overdue"], returnedAt: FEB, late: true }),
    w1({ overall: "not_satisfied", reasons: ["many_visits"], returnedAt: FEB }),
    w1({ overall: "not_satisfied", reasons: ["overdue", "staff_attitude"], returnedAt: FEB }),
    ...many(5, w1({ returnedAt: FEB })),
    // W2 February
    ...many(2, w2({ overall: "very_satisfied" })),
    ...many(3, w2({ overall: "satisfied" })),
    w2({ overall: "satisfied", complaint: true }),
    ...many(4, w2({ overall: "satisfied", version: 2 })),
    w2({ overall: "not_satisfied", reasons: ["extra_fees"], late: true }),
    w2({ overall: "not_satisfied", reasons: ["extra_fees", "overdue"], comment: "+84 905 123 456 gọi lại giúp" }),
    w2({ supplements: 2 }),
    ...many(7, w2({})),
  ];
}

/** Inserts the fixture; returns the ids of the units. */
export async function seedFixture(prisma: PrismaClient): Promise<{ provinceId: number; w1Id: number; w2Id: number }> {
  const v1 = await currentSurvey(prisma);
  const def2 = parseDefinition(DEFAULT_SURVEY);
  def2.title = { vi: "Đánh giá (phiên bản 2)", en: "Survey (version 2)" };
  const v2 = await publishSurvey(prisma, def2, "test");
  const province = await prisma.unit.create({ data: { code: PROVINCE.code, name: PROVINCE.name, level: "province" } });
  const w1 = await prisma.unit.create({ data: { code: W1.code, name: W1.name, level: "ward", parentId: province.id } });
  const w2 = await prisma.unit.create({ data: { code: W2.code, name: W2.name, level: "ward", parentId: province.id } });
  const field = await prisma.field.create({ data: { code: "DD", name: "Đất đai" } });
  const proc = await prisma.procedure.create({ data: { code: "1.004227", name: "Đăng ký biến động quyền sử dụng đất", fieldId: field.id, durationDays: 10 } });
  const list = fixtureDossiers();
  for (const [i, f] of list.entries()) {
    const returnedAt = new Date(f.returnedAt);
    const appointmentAt = new Date(returnedAt.getTime() + (f.late ? -1 : 1) * 86_400_000);
    const seq = String(i + 1).padStart(4, "0");
    const unit = f.unit === "W1" ? W1 : W2;
    const d = await prisma.dossier.create({
      data: {
        code: `${unit.code}-230101-${seq}`,
        unitId: f.unit === "W1" ? w1.id : w2.id,
        procedureId: proc.id,
        applicantName: `Nguyễn Thị Mẫu ${seq}`,
        applicantPhone: `09051${seq.padStart(5, "0")}`,
        receivedAt: new Date(returnedAt.getTime() - 20 * 86_400_000),
        appointmentAt,
        status: 10,
        statusAt: returnedAt,
        finishedAt: returnedAt,
        returnedAt,
        supplementCount: f.supplements ?? 0,
      },
    });
    const citizen = await prisma.citizen.create({ data: { phone: `09051${seq.padStart(5, "0")}` } });
    const version = f.version === 2 ? v2 : v1;
    const inv = await prisma.surveyInvitation.create({
      data: {
        dossierId: d.id,
        citizenId: citizen.id,
        surveyVersionId: version.id,
        channel: f.channel,
        state: f.overall ? "completed" : "expired",
        invitedAt: returnedAt,
        expiresAt: new Date(returnedAt.getTime() + 30 * 86_400_000),
      },
    });
    if (f.overall) {
      await prisma.feedbackResponse.create({
        data: {
          invitationId: inv.id,
          dossierId: d.id,
          citizenId: citizen.id,
          channel: f.channel,
          surveyVersionId: version.id,
          overall: f.overall,
          reasons: f.reasons ?? [],
          complaint: f.complaint ?? false,
          comment: f.comment ?? null,
          visits: f.overall === "not_satisfied" ? 3 : 1,
          onTime: !f.late,
          staffAttitude: "good",
          answers: { overall: f.overall, ...(f.reasons ? { reasons: f.reasons } : {}) },
          firstAnsweredAt: new Date(returnedAt.getTime() + 3_600_000),
          editableUntil: new Date(returnedAt.getTime() + 14 * 86_400_000),
        },
      });
    }
  }
  return { provinceId: province.id, w1Id: w1.id, w2Id: w2.id };
}
