// Feedback list and exports over the fixture of fixture.ts: CSV bytes, the XLSX read back by
// LibreOffice (a reader that is not the writing library) and compared cell by cell with the
// CSV, formula injection, pseudonyms vs identities (admins only, audit-logged), the CLI.
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feedbackRoutes } from "../../src/api/routes/feedback.ts";
import { createApiKey } from "../../src/core/api-keys.ts";
import { exportCliCommands } from "../../src/core/export/cli.ts";
import { safeText } from "../../src/core/export/writers.ts";
import { ADMIN_KEY, startTestService, type TestService } from "../helpers/app.ts";
import { seedFixture, W1, W2 } from "./fixture.ts";

const run = promisify(execFile);

function hasSoffice(): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((d) => {
    try {
      accessSync(path.join(d, "soffice"), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

let svc: TestService;
let analystKey: string;
let dir: string;

beforeAll(async () => {
  svc = await startTestService({}, () => ({ routeModules: [feedbackRoutes] }));
  await seedFixture(svc.ctx.prisma);
  analystKey = (await createApiKey(svc.ctx.prisma, "analyst", "analyst", "test")).key;
  dir = await mkdtemp(path.join(tmpdir(), "feedback-export-"));
});
afterAll(async () => {
  await svc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function download(query: string, key: string = analystKey): Promise<{ res: Response; bytes: Buffer }> {
  const res = await svc.api(`/api/v1/feedback/export?${query}`, { key });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

function csvRows(text: string): string[][] {
  return parse(text.replace(/^\uFEFF/, ""), { relax_column_count: false }) as string[][];
}

describe("formula injection", () => {
  it("prefixes = + - @ tab and CR with an apostrophe and leaves other text alone", () => {
    expect(safeText("=1+2")).toBe("'=1+2");
    expect(safeText("+84 905")).toBe("'+84 905");
    expect(safeText("-2")).toBe("'-2");
    expect(safeText("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(safeText("\t=cmd")).toBe("'\t=cmd");
    expect(safeText("\r=cmd")).toBe("'\r=cmd");
    expect(safeText("Hài lòng = tốt")).toBe("Hài lòng = tốt");
    expect(safeText("a\u0001b")).toBe("ab");
  });
});

describe("GET /api/v1/feedback/export", () => {
  let csv: string;

  it("CSV: UTF-8 with BOM, CRLF, header, one row per response, Vietnamese intact, pseudonyms", async () => {
    const { res, bytes } = await download("format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="feedback-\d{12}\.csv"$/);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    csv = bytes.toString("utf8");
    expect(csv.split("\r\n").length).toBe(1 + 32 + 1); // header, 32 responses, final CRLF
    expect(csv.replaceAll("\r\n", "")).not.toContain("\n");
    const rows = csvRows(csv);
    const header = rows[0]!;
    expect(header.slice(0, 4)).toEqual(["response_id", "dossier_code", "unit_code", "unit_name"]);
    expect(header).not.toContain("applicant_name");
    const col = (name: string) => header.indexOf(name);
    const body = rows.slice(1);
    expect(body).toHaveLength(32);
    expect(body.map((r) => Number(r[0]))).toEqual([...body.map((r) => Number(r[0]))].sort((a, b) => a - b));
    const first = body[0]!;
    expect(first[col("unit_name")]).toBe("UBND phường Cam Lộc");
    expect(first[col("procedure_name")]).toBe("Đăng ký biến động quyền sử dụng đất");
    expect(first[col("overall_text")]).toBe("Rất hài lòng");
    expect(first[col("returned_at")]).toBe("2023-01-16 10:00:00"); // Vietnam time
    expect(first[col("applicant")]).toMatch(/^P-[A-Za-z0-9_-]{16}$/);
    expect(csv).not.toContain("Nguyễn Thị Mẫu");
    const notSatisfied = body.find((r) => r[col("reasons")] === "overdue; many_visits")!;
    expect(notSatisfied[col("reasons_text")]).toBe("Quá hạn; Phải đi lại nhiều lần");
    expect(notSatisfied[col("satisfied")]).toBe("0");
    // Formula injection: a comment starting with "=" or "+" is neutralised.
    expect(notSatisfied[col("comment")]).toBe(`'=HYPERLINK("http://evil")`);
    expect(body.some((r) => r[col("comment")] === "'+84 905 123 456 gọi lại giúp")).toBe(true);
    expect(body.some((r) => r[col("comment")] === "Cán bộ nhiệt tình, hướng dẫn rõ ràng")).toBe(true);
    // The same applicant gets the same pseudonym in every export.
    const again = csvRows((await download("format=csv")).bytes.toString("utf8"));
    expect(again.slice(1).map((r) => r[col("applicant")])).toEqual(body.map((r) => r[col("applicant")]));
  });

  it("filters like the index", async () => {
    const rows = csvRows((await download(`format=csv&unitCode=${W2.code}`)).bytes.toString("utf8"));
    expect(rows).toHaveLength(1 + 12);
    const jan = csvRows((await download("format=csv&from=2023-01-01&to=2023-01-31")).bytes.toString("utf8"));
    expect(jan).toHaveLength(1 + 10);
    expect((await download("format=csv&unitCode=NOPE")).res.status).toBe(404);
    expect((await download("format=pdf")).res.status).toBe(400);
  });

  it("XLSX read by another library: typed cells, frozen header with an autofilter, a summary sheet by unit; Vietnamese headers", async () => {
    const { res, bytes } = await download("format=xlsx");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(bytes.subarray(0, 2).toString()).toBe("PK");
    // Typed cells: numbers are numbers, dates are date serials with a date format.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["feedback", "summary"]);
    const ws = wb.worksheets[0]!;
    const headers = (ws.getRow(1).values as unknown[]).slice(1);
    expect(headers.slice(0, 3)).toEqual(["response_id", "dossier_code", "unit_code"]);
    const cell = (name: string) => ws.getRow(2).getCell(headers.indexOf(name) + 1);
    expect(cell("response_id").type).toBe(ExcelJS.ValueType.Number);
    expect(cell("visits").type).toBe(ExcelJS.ValueType.Number);
    expect(cell("returned_at").type).toBe(ExcelJS.ValueType.Date);
    expect(cell("returned_at").numFmt).toBe("yyyy-mm-dd hh:mm:ss");
    expect(cell("unit_name").value).toBe("UBND phường Cam Lộc");
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(ws.autoFilter).toBe("A1:AC33"); // 29 columns, header + 32 rows
    expect(ws.rowCount).toBe(33);
    // The summary: the index by unit for the same filters, as GET /api/v1/stats/satisfaction gives it.
    const sum = wb.worksheets[1]!;
    const sh = (sum.getRow(1).values as unknown[]).slice(1);
    const rowOf = (code: string | null) => {
      for (let r = 2; r <= sum.rowCount; r++) if ((sum.getRow(r).getCell(1).value ?? null) === code) return (name: string) => sum.getRow(r).getCell(sh.indexOf(name) + 1).value;
      throw new Error(`no summary row ${code}`);
    };
    const w1 = rowOf(W1.code);
    expect([w1("rated"), w1("satisfaction_pct"), w1("ci95_low_pct"), w1("ci95_high_pct"), w1("d766_s_pct"), w1("d766_score")]).toEqual([20, 75, 53.13, 88.81, 68, 0.756]);
    const total = rowOf(null);
    expect([total("unit_name"), total("rated"), total("satisfaction_pct"), total("invited"), total("d766_s_pct")]).toEqual(["All (as filtered)", 32, 78.13, 45, 71.11]);
    expect(sum.autoFilter).toBe(`A1:S${sum.rowCount}`);

    const vi = new ExcelJS.Workbook();
    await vi.xlsx.load((await download(`format=xlsx&headers=vi&unitCode=${W2.code}`)).bytes as unknown as ArrayBuffer);
    expect(vi.worksheets.map((w) => w.name)).toEqual(["Phản hồi", "Tổng hợp"]);
    expect((vi.worksheets[0]!.getRow(1).values as unknown[]).slice(1, 4)).toEqual(["Mã phản hồi", "Mã hồ sơ", "Mã đơn vị"]);
    expect(vi.worksheets[0]!.rowCount).toBe(13);
    expect((vi.worksheets[1]!.getRow(1).values as unknown[]).slice(1, 4)).toEqual(["Mã đơn vị", "Tên đơn vị", "Cấp"]);
    expect((await download("format=xlsx&headers=fr")).res.status).toBe(400);
  });

  it("CSV with Vietnamese headers: same rows, Vietnamese header line", async () => {
    const rows = csvRows((await download(`format=csv&headers=vi&unitCode=${W2.code}`)).bytes.toString("utf8"));
    expect(rows).toHaveLength(13);
    expect(rows[0]!.slice(0, 4)).toEqual(["Mã phản hồi", "Mã hồ sơ", "Mã đơn vị", "Tên đơn vị"]);
  });

  it.skipIf(!hasSoffice())(
    "XLSX opened by LibreOffice equals the CSV cell by cell (typed dates and numbers)",
    async () => {
      const { bytes } = await download("format=xlsx");
      const xlsx = path.join(dir, "feedback.xlsx");
      await writeFile(xlsx, bytes);
      await run(
        "soffice",
        [
          `-env:UserInstallation=file://${path.join(dir, "lo-profile")}`,
          "--headless",
          "--convert-to",
          // comma, double quote, UTF-8, from line 1, …, save cell contents as shown
          "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
          "--outdir",
          path.join(dir, "out"),
          xlsx,
        ],
        { timeout: 120_000 },
      );
      const fromLibreOffice = csvRows(await readFile(path.join(dir, "out", "feedback.csv"), "utf8"));
      const ours = csvRows((await download("format=csv")).bytes.toString("utf8"));
      expect(fromLibreOffice.length).toBe(ours.length);
      for (const [i, row] of ours.entries()) {
        for (const [j, cell] of row.entries()) {
          expect(fromLibreOffice[i]![j] ?? "", `row ${i + 1}, column ${ours[0]![j]}`).toBe(cell);
        }
      }
    },
    180_000,
  );

  it("identities: 403 for analysts; admins get names and the request is audit-logged with the filters", async () => {
    const refused = await download("format=csv&identities=true");
    expect(refused.res.status).toBe(403);
    expect(JSON.parse(refused.bytes.toString()).error.code).toBe("forbidden");

    const { res, bytes } = await download(`format=csv&identities=true&unitCode=${W2.code}`, ADMIN_KEY);
    expect(res.status).toBe(200);
    const rows = csvRows(bytes.toString("utf8"));
    expect(rows[0]!.slice(-3)).toEqual(["applicant", "applicant_name", "applicant_phone"]);
    expect(rows[1]![rows[0]!.indexOf("applicant_name")]).toMatch(/^Nguyễn Thị Mẫu \d{4}$/);
    const audit = await svc.ctx.prisma.auditLog.findFirst({ where: { action: "feedback.export.identities" }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ actor: "bootstrap", target: "feedback:csv", details: { format: "csv", identities: true, filters: { unitCode: W2.code } } });
  });
});

describe("GET /api/v1/feedback", () => {
  it("pages through every response once with the cursor", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await svc.api(`/api/v1/feedback?limit=10${cursor ? `&cursor=${cursor}` : ""}`, { key: analystKey });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { id: number; applicant: string; applicantName?: string }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(10);
      for (const it of page.items) {
        expect(it.applicantName).toBeUndefined();
        seen.push(it.id);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(32);
    expect(new Set(seen).size).toBe(32);
    const zalo = await (await svc.api("/api/v1/feedback?channel=zalo&limit=200", { key: analystKey })).json();
    expect(zalo.items).toHaveLength(12);
    expect(zalo.items[0]).toMatchObject({ channel: "zalo", unit: { code: W2.code } });
    expect((await svc.api("/api/v1/feedback?cursor=garbage", { key: analystKey })).status).toBe(400);
    expect((await svc.api("/api/v1/feedback?identities=true", { key: analystKey })).status).toBe(403);
  });
});

describe("npm run cli -- export feedback", () => {
  it("writes the same CSV to a file and audit-logs the identities request", async () => {
    const out = path.join(dir, "cli.csv");
    const lines: string[] = [];
    const cmd = exportCliCommands.find((c) => c.name === "export feedback")!;
    const code = await cmd.run(["--format", "csv", "--out", out, "--channel", "zalo", "--identities"], {
      config: svc.config,
      ctx: svc.ctx,
      print: (l) => lines.push(l),
    });
    expect(code).toBe(0);
    expect(lines.join("\n")).toMatch(/Wrote 12 responses/);
    const rows = csvRows(await readFile(out, "utf8"));
    expect(rows).toHaveLength(13);
    expect(await svc.ctx.prisma.auditLog.count({ where: { actor: "cli", action: "feedback.export.identities" } })).toBe(1);
    expect(await cmd.run(["--format", "pdf", "--out", out], { config: svc.config, ctx: svc.ctx, print: () => {} })).toBe(2);
  });
});
