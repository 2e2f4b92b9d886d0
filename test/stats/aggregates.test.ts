// The index aggregates stay equal to a recount of the raw rows whatever happens to the rows:
// random sequences of dossier, invitation and response inserts, edits (one row and many
// rows in one statement), deletions and citizen erasure (fast-check), then the index read
// from the aggregates equals the index counted from the raw rows. Also the CLI check/rebuild.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliCommands } from "../../src/app/cli-commands.ts";
import { rebuildAggregates, verifyAggregates } from "../../src/core/stats/aggregates.ts";
import { satisfactionIndex, satisfactionQuerySchema } from "../../src/core/stats/satisfaction.ts";
import { FINISHED_STATUSES } from "../../src/core/status.ts";
import { currentSurvey } from "../../src/core/survey/versions.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

let db: TestDatabase;
let prisma: PrismaClient;
let units: number[];
let procedures: number[];
let versionId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = db.prisma;
  versionId = (await currentSurvey(prisma)).id;
  const province = await prisma.unit.create({ data: { code: "P", name: "Tỉnh", level: "province" } });
  units = [];
  for (const code of ["W1", "W2"]) units.push((await prisma.unit.create({ data: { code, name: `Phường ${code}`, level: "ward", parentId: province.id } })).id);
  const field = await prisma.field.create({ data: { code: "DD", name: "Đất đai" } });
  procedures = [];
  for (const code of ["1.1", "1.2"]) procedures.push((await prisma.procedure.create({ data: { code, name: `Thủ tục ${code}`, fieldId: code === "1.1" ? field.id : null, durationDays: 5 } })).id);
});
afterAll(async () => {
  await db?.close();
});

// Instants around month and day boundaries in Vietnam time (UTC+7), where a mistake would show.
const BASE = Date.parse("2024-01-31T16:30:00Z"); // 23:30 on 31 Jan in Vietnam
const instant = fc.integer({ min: -3, max: 40 }).map((h) => new Date(BASE + h * 3_600_000));
const level = fc.constantFrom("very_satisfied", "satisfied", "not_satisfied", null);
const reasons = fc.subarray(["overdue", "many_visits", "extra_fees"]);
const channel = fc.constantFrom("telegram", "zalo", "web") as fc.Arbitrary<"telegram" | "zalo" | "web">;
const pick = fc.nat(1000);

type Op =
  | { op: "dossier"; unit: number; proc: number; status: number; received: Date; appointment: Date; finished: Date | null; returned: Date | null; supplements: number }
  | { op: "editDossier"; which: number; status: number; finished: Date | null; returned: Date | null; unit: number; appointment: Date; supplements: number }
  | { op: "deleteDossier"; which: number }
  | { op: "respond"; which: number; channel: "telegram" | "zalo" | "web"; overall: string | null; complaint: boolean; reasons: string[]; at: Date; invitedOnly: boolean }
  | { op: "editResponse"; which: number; overall: string | null; complaint: boolean; reasons: string[] }
  | { op: "editAllResponsesOf"; which: number; complaint: boolean }
  | { op: "deleteResponse"; which: number }
  | { op: "erase"; which: number };

const ops: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({
    op: fc.constant("dossier" as const),
    unit: fc.nat(1),
    proc: fc.nat(1),
    status: fc.constantFrom(2, 4, 9, 10, 3),
    received: instant,
    appointment: instant,
    finished: fc.option(instant),
    returned: fc.option(instant),
    supplements: fc.nat(2),
  }), weight: 4 },
  { arbitrary: fc.record({
    op: fc.constant("editDossier" as const),
    which: pick,
    status: fc.constantFrom(4, 9, 10),
    finished: fc.option(instant),
    returned: fc.option(instant),
    unit: fc.nat(1),
    appointment: instant,
    supplements: fc.nat(2),
  }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("deleteDossier" as const), which: pick }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("respond" as const), which: pick, channel, overall: level, complaint: fc.boolean(), reasons, at: instant, invitedOnly: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("respond" as const), which: pick, channel, overall: level, complaint: fc.boolean(), reasons, at: instant, invitedOnly: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("editResponse" as const), which: pick, overall: level, complaint: fc.boolean(), reasons }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("editAllResponsesOf" as const), which: pick, complaint: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("deleteResponse" as const), which: pick }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("erase" as const), which: pick }), weight: 1 },
);

let seq = 0;
async function nth<T extends { id: number }>(list: Promise<T[]>, which: number): Promise<T | undefined> {
  const rows = await list;
  return rows.length ? rows[which % rows.length] : undefined;
}

async function apply(o: Op): Promise<void> {
  switch (o.op) {
    case "dossier": {
      seq++;
      await prisma.dossier.create({
        data: {
          code: `D-${seq}`,
          unitId: units[o.unit]!,
          procedureId: procedures[o.proc]!,
          applicantName: "Nguyễn Văn A",
          receivedAt: o.received,
          appointmentAt: o.appointment,
          status: o.status,
          statusAt: o.received,
          finishedAt: FINISHED_STATUSES.has(o.status) ? o.finished : null,
          returnedAt: o.status === 10 ? o.returned : null,
          supplementCount: o.supplements,
        },
      });
      return;
    }
    case "editDossier": {
      const d = await nth(prisma.dossier.findMany({ orderBy: { id: "asc" } }), o.which);
      if (!d) return;
      await prisma.dossier.update({
        where: { id: d.id },
        data: {
          status: o.status,
          finishedAt: FINISHED_STATUSES.has(o.status) ? (o.finished ?? d.receivedAt) : null,
          returnedAt: o.status === 10 ? o.returned : null,
          unitId: units[o.unit]!,
          appointmentAt: o.appointment,
          supplementCount: o.supplements,
        },
      });
      return;
    }
    case "deleteDossier": {
      const d = await nth(prisma.dossier.findMany({ orderBy: { id: "asc" } }), o.which);
      if (d) await prisma.dossier.delete({ where: { id: d.id } });
      return;
    }
    case "respond": {
      const d = await nth(prisma.dossier.findMany({ orderBy: { id: "asc" } }), o.which);
      if (!d) return;
      seq++;
      const citizen = await prisma.citizen.create({ data: { phone: `09${String(seq).padStart(8, "0")}` } });
      const inv = await prisma.surveyInvitation.create({
        data: { dossierId: d.id, citizenId: citizen.id, surveyVersionId: versionId, channel: o.channel, invitedAt: o.at, expiresAt: new Date(o.at.getTime() + 86_400_000) },
      });
      if (o.invitedOnly) return;
      await prisma.feedbackResponse.create({
        data: {
          invitationId: inv.id,
          dossierId: d.id,
          citizenId: citizen.id,
          channel: o.channel,
          surveyVersionId: versionId,
          overall: o.overall as never,
          complaint: o.complaint,
          reasons: o.overall === "not_satisfied" ? o.reasons : [],
          answers: {},
          firstAnsweredAt: o.at,
          editableUntil: new Date(o.at.getTime() + 14 * 86_400_000),
        },
      });
      return;
    }
    case "editResponse": {
      const r = await nth(prisma.feedbackResponse.findMany({ orderBy: { id: "asc" } }), o.which);
      if (r) await prisma.feedbackResponse.update({ where: { id: r.id }, data: { overall: o.overall as never, complaint: o.complaint, reasons: o.reasons } });
      return;
    }
    case "editAllResponsesOf": {
      // Several rows in one statement.
      const d = await nth(prisma.dossier.findMany({ orderBy: { id: "asc" } }), o.which);
      if (d) await prisma.feedbackResponse.updateMany({ where: { dossierId: d.id }, data: { complaint: o.complaint, overall: "not_satisfied" } });
      return;
    }
    case "deleteResponse": {
      const r = await nth(prisma.feedbackResponse.findMany({ orderBy: { id: "asc" } }), o.which);
      if (r) await prisma.feedbackResponse.delete({ where: { id: r.id } });
      return;
    }
    case "erase": {
      // A citizen's erasure: the citizen row goes, its invitations with it (cascade), its responses stay unlinked.
      const c = await nth(prisma.citizen.findMany({ orderBy: { id: "asc" } }), o.which);
      if (c) await prisma.citizen.delete({ where: { id: c.id } });
      return;
    }
  }
}

const query = (q: Record<string, string | undefined>) => satisfactionQuerySchema.parse(q);

describe("satisfaction aggregates", () => {
  it("the SQL list of finished statuses is FINISHED_STATUSES", async () => {
    const rows = await prisma.$queryRawUnsafe<{ s: number }[]>(`SELECT s FROM generate_series(1, 10) s WHERE dossier_finished(s) ORDER BY s`);
    expect(rows.map((r) => Number(r.s))).toEqual([...FINISHED_STATUSES].sort((a, b) => a - b));
  });

  it("equal a recount of the raw rows after random inserts, edits, deletions and erasures; the index reads the same from both", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 5, maxLength: 20 }), async (list) => {
        for (const o of list) await apply(o);
        const check = await verifyAggregates(prisma);
        expect(check.differences).toEqual([]);
      }),
      { numRuns: 8, seed: Number(process.env.FC_SEED ?? 20261202) },
    );
    // Enough rows for the comparison below whatever the runs left behind.
    for (let i = 0; (await prisma.feedbackResponse.count()) < 12; i++) {
      const at = new Date(BASE + (i % 30) * 3_600_000);
      await apply({ op: "dossier", unit: i % 2, proc: (i >> 1) % 2, status: i % 3 ? 10 : 4, received: at, appointment: at, finished: at, returned: at, supplements: i % 3 });
      await apply({ op: "respond", which: i * 7, channel: i % 2 ? "zalo" : "telegram", overall: ["very_satisfied", "satisfied", "not_satisfied"][i % 3]!, complaint: i % 5 === 0, reasons: ["overdue"], at, invitedOnly: false });
    }
    expect((await verifyAggregates(prisma)).ok).toBe(true);
    const asOf = "2024-02-01T10:00:00+07:00"; // inside the data: open dossiers due earlier that day count, later ones not
    for (const q of [{ groupBy: "unit,month" }, { groupBy: "procedure,channel" }, { groupBy: "field" }, { from: "2024-02-01", to: "2024-02-01", groupBy: "unit" }, {}]) {
      const parsed = query({ ...q, asOf });
      const fromAggregates = await satisfactionIndex(prisma, parsed, { target: 84, source: "aggregates" });
      const fromRaw = await satisfactionIndex(prisma, parsed, { target: 84, source: "raw" });
      expect(fromAggregates, JSON.stringify(q)).toEqual(fromRaw);
    }
  });

  it("the CLI finds a damaged count and the rebuild repairs it", async () => {
    const cmd = cliCommands.find((c) => c.name === "stats aggregates")!;
    const run = async (arg: string) => {
      const lines: string[] = [];
      const code = await cmd.run([arg], { config: {} as never, ctx: { prisma } as never, print: (l) => lines.push(l) });
      return { code, out: lines.join("\n") };
    };
    expect(await run("verify")).toMatchObject({ code: 0, out: expect.stringMatching(/^Aggregates match the raw rows/) });
    await prisma.$executeRawUnsafe(`UPDATE "RatingDaily" SET n = n + 1 WHERE ctid = (SELECT ctid FROM "RatingDaily" WHERE n > 0 LIMIT 1)`);
    const broken = await run("verify");
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/RatingDaily .*stored (\d+), recounted \d+/);
    expect((await run("rebuild")).code).toBe(0);
    expect((await verifyAggregates(prisma)).ok).toBe(true);
    expect(Object.keys(await rebuildAggregates(prisma))).toEqual(["RatingDaily", "InvitationDaily", "DossierDaily"]);
  });
});
