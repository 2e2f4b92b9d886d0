// The CSV export has three producers — rows formatted in the process (the reference), rows
// rendered by SQL in batches (PGlite) and the same rendering through COPY (PostgreSQL) — and
// they must write the same bytes: on the hand-counted fixture plus rows made to trip a
// formatter (quotes, commas, line breaks, formula starts, control characters, empty strings,
// unknown answer codes, applicants without phone or ID), with and without identities,
// English and Vietnamese headers, and every filter.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFeedbackExport, type RowsPath } from "../../src/core/export/index.ts";
import { IdentityHasher } from "../../src/core/identity.ts";
import { resolveFilters } from "../../src/core/stats/filters.ts";
import { currentSurvey } from "../../src/core/survey/versions.ts";
import { createTestDatabase, usingServer, type TestDatabase } from "../helpers/db.ts";
import { zipEntries } from "../helpers/zip.ts";
import { fillPseudonyms } from "../../src/core/export/pseudonyms.ts";
import { seedFixture, W2 } from "./fixture.ts";

let db: TestDatabase;
const hasher = new IdentityHasher("test-pepper-0123456789abcdef");

const NASTY = [
  'say "hi", ok',
  "dòng 1\ndòng 2\r\ndòng 3",
  "\u0001=HYPERLINK(1)",
  "-5",
  "@SUM(A1)",
  "\t=cmd",
  "",
  "a\uFFFEb",
  "+84 905",
  "😀 rất tốt",
  "trailing comma,",
  '"',
  "back\\slash 'quote'",
  " khoảng trắng hai đầu ",
  "cuối\u00a0",
  "<b>&amp;</b>\r",
];

beforeAll(async () => {
  db = await createTestDatabase();
  const p = db.prisma;
  await seedFixture(p);
  const v = await currentSurvey(p);
  const unit = await p.unit.create({ data: { code: "X,1", name: 'Phường "Mới", Cam Ranh', level: "ward" } });
  const proc = await p.procedure.create({ data: { code: "=2.1", name: "Thủ tục\nhai dòng", durationDays: 3 } });
  for (const [i, comment] of NASTY.entries()) {
    const at = new Date(Date.UTC(2023, 1, 10, 3, 4, 5, 678) + i * 3_600_000);
    const d = await p.dossier.create({
      data: {
        code: `X-${i}`,
        unitId: unit.id,
        procedureId: proc.id,
        applicantName: i % 2 ? `Trần "Bé", ${i}` : `=Lê ${i}`,
        applicantPhone: i % 3 === 0 ? null : `0905${String(i).padStart(6, "0")}`,
        applicantIdHash: i % 4 === 0 ? `h${i}` : i % 5 === 0 ? "" : null,
        receivedAt: at,
        appointmentAt: new Date(at.getTime() + (i % 2 ? -1 : 1) * 86_400_000),
        status: i % 3 ? 10 : 4,
        statusAt: at,
        finishedAt: i % 3 ? at : null,
        returnedAt: i % 3 ? at : null,
      },
    });
    await p.feedbackResponse.create({
      data: {
        dossierId: d.id,
        channel: i % 2 ? "zalo" : "web",
        surveyVersionId: v.id,
        overall: i % 4 === 0 ? null : i % 4 === 1 ? "not_satisfied" : "satisfied",
        reasons: i % 4 === 1 ? ["overdue", "made_up_code", ...(i === 5 ? [""] : [])] : [],
        visits: i % 3 === 0 ? null : i,
        onTime: i % 3 === 0 ? null : i % 2 === 0,
        staffAttitude: i % 3 === 0 ? null : i % 3 === 1 ? "bad" : i === 2 ? "" : "meh",
        comment: comment,
        complaint: i === 7,
        answers: {},
        firstAnsweredAt: at,
        editableUntil: at,
      },
    });
  }
});
afterAll(async () => {
  await db?.close();
});

/** The whole export of one path as bytes, and its row count. */
async function runExport(format: "csv" | "xlsx", path: RowsPath, q: Record<string, string>, identities: boolean, headers: "en" | "vi"): Promise<{ bytes: Buffer; n: number }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  const f = await resolveFilters(db.prisma, q);
  const n = await writeFeedbackExport({ prisma: db.prisma, hasher, serverUrl: db.url }, f, { format, identities, headers, rowsPath: path, batchSize: 7 }, sink);
  return { bytes: Buffer.concat(chunks), n };
}

async function xlsxParts(path: RowsPath, q: Record<string, string>, identities: boolean, headers: "en" | "vi"): Promise<Map<string, string>> {
  const { bytes } = await runExport("xlsx", path, q, identities, headers);
  return new Map([...zipEntries(bytes)].map(([name, data]) => [name, data.toString("utf8")]));
}

async function exportBytes(path: RowsPath, q: Record<string, string>, identities: boolean, headers: "en" | "vi"): Promise<Buffer> {
  const { bytes, n } = await runExport("csv", path, q, identities, headers);
  expect(n, `${path} row count`).toBe(bytes.toString("utf8").split("\r\n").length - 2 - (bytes.toString("utf8").match(/dòng 1\ndòng 2\r\n/g)?.length ?? 0));
  return bytes;
}

const CASES: [string, Record<string, string>, boolean, "en" | "vi"][] = [
  ["everything", {}, false, "en"],
  ["identities, Vietnamese headers", {}, true, "vi"],
  ["one unit", { unitCode: W2.code }, false, "en"],
  ["January", { from: "2023-01-01", to: "2023-01-31" }, true, "en"],
  ["zalo, from an instant", { channel: "zalo", from: "2023-02-10T10:00:00+07:00" }, false, "vi"],
];

describe("CSV export paths write the same bytes", () => {
  it.each(CASES)("%s", async (_name, q, identities, headers) => {
    const reference = await exportBytes("rows", q, identities, headers);
    expect(reference.length).toBeGreaterThan(100);
    const sql = await exportBytes("sql", q, identities, headers);
    expect(sql.toString("utf8")).toBe(reference.toString("utf8"));
    expect(sql.equals(reference)).toBe(true);
    if (usingServer()) {
      const copy = await exportBytes("copy", q, identities, headers);
      expect(copy.toString("utf8")).toBe(reference.toString("utf8"));
      expect(copy.equals(reference)).toBe(true);
    }
  });

  it("write the same bytes when the database's DateStyle is not ISO (the SQL renders timestamps as text)", async () => {
    const reference = await exportBytes("rows", {}, true, "en");
    if (usingServer()) {
      // New sessions (the COPY's own connection, new pool connections) start with this style.
      const name = new URL(db.url!).pathname.slice(1);
      await db.prisma.$executeRawUnsafe(`ALTER DATABASE "${name}" SET DateStyle = 'SQL, DMY'`);
      try {
        expect((await exportBytes("copy", {}, true, "en")).equals(reference)).toBe(true);
      } finally {
        await db.prisma.$executeRawUnsafe(`ALTER DATABASE "${name}" RESET DateStyle`);
      }
    } else {
      // One session: set it there.
      await db.prisma.$executeRawUnsafe(`SET DateStyle = 'SQL, DMY'`);
      try {
        expect((await exportBytes("sql", {}, true, "en")).equals(reference)).toBe(true);
      } finally {
        await db.prisma.$executeRawUnsafe(`SET DateStyle = 'ISO, MDY'`);
      }
    }
  });

  it.each(CASES)("the XLSX sheets rendered by the database are the ones written here: %s", async (_name, q, identities, headers) => {
    const reference = await xlsxParts("rows", q, identities, headers);
    expect(reference.get("xl/worksheets/sheet1.xml")!.length).toBeGreaterThan(1000);
    for (const path of usingServer() ? (["sql", "copy"] as const) : (["sql"] as const)) {
      const parts = await xlsxParts(path, q, identities, headers);
      expect([...parts.keys()]).toEqual([...reference.keys()]);
      for (const [name, xml] of reference) expect(parts.get(name), `${path}: ${name}`).toBe(xml);
    }
  });

  it("Vietnamese headers name every column", async () => {
    const text = (await exportBytes("rows", {}, true, "vi")).toString("utf8");
    const header = text.slice(1, text.indexOf("\r\n"));
    expect(header.startsWith("Mã phản hồi,Mã hồ sơ,Mã đơn vị,Tên đơn vị")).toBe(true);
    expect(header.endsWith("Người nộp (bí danh),Họ tên người nộp,Số điện thoại")).toBe(true);
    expect(header).not.toMatch(/[a-z]_[a-z]/);
  });
});

describe("pseudonyms kept with the dossiers", () => {
  it("once the job has filled them, every path writes the same bytes; a write that changes the basis clears one", async () => {
    const reference = await exportBytes("rows", {}, true, "en");
    const { filled } = await fillPseudonyms(db.prisma, hasher, { batch: 4 });
    expect(filled).toBe(await db.prisma.dossier.count());
    expect((await fillPseudonyms(db.prisma, hasher)).filled).toBe(0);
    for (const path of usingServer() ? (["sql", "copy"] as const) : (["sql"] as const)) expect((await exportBytes(path, {}, true, "en")).equals(reference), path).toBe(true);
    // The exports really read the stored value: a different one shows.
    const one = await db.prisma.dossier.findFirstOrThrow({ where: { code: "X-1" } });
    await db.prisma.dossier.update({ where: { id: one.id }, data: { applicantPseudonym: "P-stored" } });
    expect((await exportBytes("sql", {}, false, "en")).toString("utf8")).toContain(",P-stored");
    // A new phone (the basis of X-1, which has no ID hash) clears it; the export hashes the new basis.
    await db.prisma.dossier.update({ where: { id: one.id }, data: { applicantPhone: "0905999999" } });
    expect((await db.prisma.dossier.findUniqueOrThrow({ where: { id: one.id } })).applicantPseudonym).toBeNull();
    const after = await exportBytes("rows", {}, true, "en");
    expect(after.equals(reference)).toBe(false);
    expect((await exportBytes("sql", {}, true, "en")).equals(after)).toBe(true);
    // Other updates leave it alone.
    await fillPseudonyms(db.prisma, hasher);
    const kept = (await db.prisma.dossier.findUniqueOrThrow({ where: { id: one.id } })).applicantPseudonym;
    expect(kept).toMatch(/^P-/);
    await db.prisma.dossier.update({ where: { id: one.id }, data: { currentStep: "Trả kết quả" } });
    expect((await db.prisma.dossier.findUniqueOrThrow({ where: { id: one.id } })).applicantPseudonym).toBe(kept);
  });
});
