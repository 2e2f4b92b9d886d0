import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSV_COLUMNS, csvRows, jsonRows, type ImportRow } from "../../src/core/dossier-import.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

const HEADER = CSV_COLUMNS.join(",");
const UNIT = "000.00.15.H32";

/** One CSV line with the columns of CSV_COLUMNS (quoted when needed). */
function csvLine(over: Partial<Record<(typeof CSV_COLUMNS)[number], string | number>>): string {
  const base: Record<string, string | number> = {
    unitCode: UNIT,
    unitName: "UBND phường Cam Lộc",
    fieldCode: "DD",
    fieldName: "Đất đai",
    procedureCode: "1.004227",
    procedureName: "Đăng ký biến động quyền sử dụng đất",
    procedureDurationDays: 10,
    applicantName: "Nguyễn Văn A",
    applicantPhone: "0905123456",
    applicantIdNumber: "056089001234",
    receivedAt: "2023-01-12T09:00:00+07:00",
    appointmentAt: "2023-02-02T09:00:00+07:00",
    status: 4,
    returnMethod: "counter",
    currentStep: "Thẩm định hồ sơ",
    ...over,
  };
  return CSV_COLUMNS.map((c) => {
    const v = String(base[c] ?? "");
    return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  }).join(",");
}

function postImport(body: string, contentType: string) {
  return svc.api("/api/v1/dossiers/import", { method: "POST", body, headers: { "content-type": contentType } });
}
const postCsv = (body: string) => postImport(body, "text/csv; charset=utf-8");
const getDossier = (code: string) => svc.api(`/api/v1/dossiers/${code}`);

async function collect(it: AsyncIterable<ImportRow>): Promise<ImportRow[]> {
  const out: ImportRow[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe("POST /api/v1/dossiers/import (CSV)", () => {
  it("imports a UTF-8 CSV with BOM, quoted commas and Vietnamese text intact", async () => {
    const csv =
      "\uFEFF" +
      [
        HEADER,
        csvLine({ code: `${UNIT}-230301-0001`, applicantName: "Trần Thị Bích Ngọc", currentStep: "Chờ ký, đóng dấu" }),
        csvLine({ code: `${UNIT}-230301-0002`, applicantName: "Lê Văn Hưởng", unitName: "UBND phường Cam Lộc, TP Đông Hà", status: 9 }),
      ].join("\r\n") +
      "\r\n";
    const res = await postCsv(csv);
    expect(res.status).toBe(200);
    // The unit exists (or is created from the first row naming it): a differing name is a warning, never a rename.
    expect(await res.json()).toEqual({
      imported: 2,
      created: 2,
      updated: 0,
      statusChanged: 0,
      warnings: [expect.objectContaining({ kind: "unit.name", code: UNIT, given: "UBND phường Cam Lộc, TP Đông Hà" })],
      warningCount: 1,
    });

    const a = await (await getDossier(`${UNIT}-230301-0001`)).json();
    expect(a.applicant.name).toBe("Trần Thị Bích Ngọc");
    expect(a.currentStep).toBe("Chờ ký, đóng dấu");
    expect(a.applicant.idNumberMasked).toBe("056*********");
    expect(a.field).toEqual({ code: "DD", name: "Đất đai" });
    expect(a.history).toHaveLength(1);
    expect(a.history[0]).toMatchObject({ status: 4, source: "import", applied: true });
    const b = await (await getDossier(`${UNIT}-230301-0002`)).json();
    expect(b.status).toBe(9);
    expect(b.finishedAt).not.toBeNull();
    // The catalogue keeps its name (changed only through the admin API).
    expect(b.unit.name).toBe("UBND phường Cam Lộc");
  });

  it("one bad row (line 4: status 42) → 422 naming line 4, and nothing is written", async () => {
    const csv = [
      HEADER,
      csvLine({ code: `${UNIT}-230302-0001` }),
      csvLine({ code: `${UNIT}-230302-0002` }),
      csvLine({ code: `${UNIT}-230302-0003`, status: 42 }),
      csvLine({ code: `${UNIT}-230302-0004`, receivedAt: "12/03/2023" }),
    ].join("\n");
    const res = await postCsv(csv);
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.rowsRead).toBe(4);
    expect(body.error.details.errorCount).toBe(2);
    expect(body.error.details.errors).toEqual([
      { line: 4, code: `${UNIT}-230302-0003`, field: "status", message: expect.any(String) },
      { line: 5, code: `${UNIT}-230302-0004`, field: "receivedAt", message: expect.any(String) },
    ]);
    expect((await getDossier(`${UNIT}-230302-0001`)).status).toBe(404);
    expect((await getDossier(`${UNIT}-230302-0002`)).status).toBe(404);
  });

  it("reports CSV column names for applicant fields and the physical line after a multi-line cell", async () => {
    const csv = [
      HEADER,
      csvLine({ code: `${UNIT}-230303-0001`, currentStep: "Dòng 1\r\nDòng 2" }),
      "",
      csvLine({ code: `${UNIT}-230303-0002`, applicantName: "" }),
    ].join("\r\n");
    const res = await postCsv(csv);
    expect(res.status).toBe(422);
    const { details } = (await res.json()).error;
    expect(details.errors).toEqual([{ line: 5, code: `${UNIT}-230303-0002`, field: "applicantName", message: "required" }]);
    expect((await getDossier(`${UNIT}-230303-0001`)).status).toBe(404);
  });

  it("lists at most 100 errors but counts them all", async () => {
    const lines = [HEADER];
    for (let i = 1; i <= 150; i++) lines.push(csvLine({ code: `${UNIT}-230309-${String(i).padStart(4, "0")}`, status: 42 }));
    const res = await postCsv(lines.join("\n"));
    expect(res.status).toBe(422);
    const { details } = (await res.json()).error;
    expect(details.errors).toHaveLength(100);
    expect(details.errors[0].line).toBe(2);
    expect(details.errorCount).toBe(150);
    expect(details.rowsRead).toBe(150);
  });

  it("a duplicate code in the file is an error (also when typed differently)", async () => {
    const csv = [HEADER, csvLine({ code: `${UNIT}-230304-0001` }), csvLine({ code: "000 00 15 h32 230304 0001" })].join("\n");
    const res = await postCsv(csv);
    expect(res.status).toBe(422);
    const { details } = (await res.json()).error;
    expect(details.errors).toEqual([{ line: 3, code: `${UNIT}-230304-0001`, field: "code", message: "duplicate code: already on line 2" }]);
    expect((await getDossier(`${UNIT}-230304-0001`)).status).toBe(404);
  });

  it("reports every repeat of a code, also after a bad row, with the others' errors in line order", async () => {
    const code = `${UNIT}-230305-0001`;
    const lines = [HEADER, csvLine({ code: `${UNIT}-230305-0009`, status: 42 }), csvLine({ code }), csvLine({ code: `${UNIT}-230305-0002` }), csvLine({ code: code.toLowerCase() }), csvLine({ code })];
    for (let i = 10; i < 140; i++) lines.push(csvLine({ code: `${UNIT}-230306-${String((i % 60) + 1).padStart(4, "0")}` }));
    const res = await postCsv(lines.join("\n"));
    expect(res.status).toBe(422);
    const { details } = (await res.json()).error;
    expect(details.errors.slice(0, 3)).toEqual([
      { line: 2, code: `${UNIT}-230305-0009`, field: "status", message: expect.any(String) },
      { line: 5, code, field: "code", message: "duplicate code: already on line 3" },
      { line: 6, code, field: "code", message: "duplicate code: already on line 3" },
    ]);
    // 130 rows over 60 codes: 70 repeats there, 2 above, and the bad status: 73 errors, all listed.
    expect(details.errorCount).toBe(73);
    expect(details.errors).toHaveLength(73);
    expect(details.errors.map((e: { line: number }) => e.line)).toEqual([...details.errors.map((e: { line: number }) => e.line)].sort((a, b) => a - b));
    expect((await getDossier(code)).status).toBe(404);
  });

  it("computes a missing appointment from a known duration (across Tết 2023)", async () => {
    const csv = [
      HEADER,
      csvLine({ code: `${UNIT}-230112-0101`, appointmentAt: "", receivedAt: "2023-01-12T18:30:00+07:00" }),
      // No own duration: the procedure's (stored or given in the file) is used.
      csvLine({ code: `${UNIT}-230112-0102`, appointmentAt: "", procedureDurationDays: "", procedureName: "", receivedAt: "2023-01-12T18:30:00+07:00" }),
    ].join("\n");
    const res = await postCsv(csv);
    expect(res.status).toBe(200);
    for (const code of [`${UNIT}-230112-0101`, `${UNIT}-230112-0102`]) {
      const d = await (await getDossier(code)).json();
      expect(d.appointmentAt).toBe("2023-02-03T00:00:00.000Z");
      expect(d.appointmentComputed).toBe(true);
    }
  });

  it("a missing appointment without any duration is an error", async () => {
    const csv = [
      HEADER,
      csvLine({ code: `${UNIT}-230305-0001`, procedureCode: "9.000001", procedureName: "Thủ tục mới", procedureDurationDays: "", appointmentAt: "" }),
    ].join("\n");
    const res = await postCsv(csv);
    expect(res.status).toBe(422);
    expect((await res.json()).error.details.errors).toEqual([{ line: 2, field: "appointmentAt", message: expect.stringContaining("9.000001") }]);
  });

  it("an unknown unit without unitName is an error unless another row names it", async () => {
    const bad = [HEADER, csvLine({ code: "000.00.99.H32-230306-0001", unitCode: "000.00.99.H32", unitName: "" })].join("\n");
    const res = await postCsv(bad);
    expect(res.status).toBe(422);
    expect((await res.json()).error.details.errors).toEqual([{ line: 2, field: "unitName", message: expect.stringContaining("000.00.99.H32") }]);

    const good = [
      HEADER,
      csvLine({ code: "000.00.99.H32-230306-0001", unitCode: "000.00.99.H32", unitName: "" }),
      csvLine({ code: "000.00.99.H32-230306-0002", unitCode: "000.00.99.H32", unitName: "UBND xã Mới", parentUnitCode: UNIT }),
    ].join("\n");
    const ok = await postCsv(good);
    expect(ok.status).toBe(200);
    expect((await (await getDossier("000.00.99.H32-230306-0001")).json()).unit).toEqual({ code: "000.00.99.H32", name: "UBND xã Mới" });
    const unit = await svc.ctx.prisma.unit.findUniqueOrThrow({ where: { code: "000.00.99.H32" }, include: { parent: true } });
    expect(unit.parent?.code).toBe(UNIT);
  });

  it("unknown column → 400 naming it; missing required column → 400", async () => {
    const unknown = await postCsv([HEADER + ",ghiChu,foo", csvLine({ code: `${UNIT}-230307-0001` }) + ",x,y"].join("\n"));
    expect(unknown.status).toBe(400);
    const body = await unknown.json();
    expect(body.error.code).toBe("bad_request");
    expect(body.error.details.unknownColumns).toEqual(["ghiChu", "foo"]);

    const cols = CSV_COLUMNS.filter((c) => c !== "receivedAt");
    const missing = await postCsv(cols.join(",") + "\n");
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.details.missingColumns).toEqual(["receivedAt"]);
    expect((await getDossier(`${UNIT}-230307-0001`)).status).toBe(404);
  });

  it("malformed CSV (wrong cell count, unclosed quote) → 422 with the line, nothing written", async () => {
    const wrongCount = [HEADER, csvLine({ code: `${UNIT}-230308-0001` }), "a,b,c"].join("\n");
    const r1 = await postCsv(wrongCount);
    expect(r1.status).toBe(422);
    expect((await r1.json()).error.details.errors).toEqual([{ line: 3, message: expect.stringContaining("found 3") }]);

    const open = csvLine({ code: `${UNIT}-230308-0002`, currentStep: "STEP" }).replace("STEP", '"Đang xử lý');
    const r2 = await postCsv([HEADER, csvLine({ code: `${UNIT}-230308-0001` }), open, csvLine({ code: `${UNIT}-230308-0003` })].join("\n"));
    expect(r2.status).toBe(422);
    const errs = (await r2.json()).error.details.errors;
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ line: 3, message: expect.stringContaining("malformed CSV") });
    expect((await getDossier(`${UNIT}-230308-0001`)).status).toBe(404);
  });
});

describe("POST /api/v1/dossiers/import (JSON)", () => {
  const J1 = `${UNIT}-230401-0001`;
  const J2 = `${UNIT}-230401-0002`;

  it("imports a JSON array of sync-contract objects with a code", async () => {
    const body = [
      { code: J1, ...specDossier({ applicant: { name: "Phạm Thị Hoa" } }) },
      { code: J2, ...specDossier({ status: 5, supplementReason: "Thiếu bản sao sổ đỏ" }) },
    ];
    const res = await svc.api("/api/v1/dossiers/import", { method: "POST", json: body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ imported: 2, created: 2, updated: 0, statusChanged: 0, warnings: [], warningCount: 0 });
    expect((await (await getDossier(J1)).json()).applicant.name).toBe("Phạm Thị Hoa");
    expect((await (await getDossier(J2)).json()).supplementReason).toBe("Thiếu bản sao sổ đỏ");
  });

  it("re-import updates instead of duplicating and records the status change in history", async () => {
    const changes: { code: string; from: number; to: number }[] = [];
    svc.ctx.statusEvents.attach([(c) => void changes.push({ code: c.code, from: c.from, to: c.to })]);
    // Listeners (notices, surveys) hear of the changes of linked dossiers: J1 is linked.
    const citizen = await svc.ctx.prisma.citizen.create({ data: {} });
    const j1 = await svc.ctx.prisma.dossier.findUniqueOrThrow({ where: { code: J1 } });
    await svc.ctx.prisma.dossierLink.create({ data: { citizenId: citizen.id, dossierId: j1.id, verifiedBy: "staff", consentAt: new Date() } });
    const body = [
      { code: J1, ...specDossier({ applicant: { name: "Phạm Thị Hoa" }, status: 9, currentStep: "Đã có kết quả" }) },
      { code: J2, ...specDossier({ status: 5 }) },
    ];
    const res = await svc.api("/api/v1/dossiers/import", { method: "POST", json: body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ imported: 2, created: 0, updated: 2, statusChanged: 1, warnings: [], warningCount: 0 });
    expect(changes).toEqual([{ code: J1, from: 4, to: 9 }]);

    const d1 = await (await getDossier(J1)).json();
    expect(d1.status).toBe(9);
    expect(d1.currentStep).toBe("Đã có kết quả");
    expect(d1.history.map((h: { status: number; source: string }) => [h.status, h.source])).toEqual([
      [4, "import"],
      [9, "import"],
    ]);
    // Unchanged status: no new history row; fields absent from the row keep their value.
    const d2 = await (await getDossier(J2)).json();
    expect(d2.history).toHaveLength(1);
    expect(d2.supplementReason).toBe("Thiếu bản sao sổ đỏ");
    expect(await svc.ctx.prisma.dossier.count({ where: { code: { in: [J1, J2] } } })).toBe(2);
    const audit = await svc.ctx.prisma.auditLog.findMany({ where: { action: "dossier.import" }, orderBy: { id: "desc" }, take: 1 });
    expect(audit[0]?.details).toEqual({ rows: 2, created: 0, updated: 2, statusChanged: 1, warnings: 0 });
  });

  it("bad rows → 422 with 1-based array indexes and nothing written", async () => {
    const body = [
      { code: `${UNIT}-230402-0001`, ...specDossier() },
      { code: "hello", ...specDossier() },
      { code: `${UNIT}-230402-0003`, ...specDossier({ applicant: { name: "X", phone: "12ab" } }) },
    ];
    const res = await svc.api("/api/v1/dossiers/import", { method: "POST", json: body });
    expect(res.status).toBe(422);
    const { details } = (await res.json()).error;
    expect(details.errors).toEqual([
      { line: 2, code: "hello", field: "code", message: expect.stringContaining("not a valid dossier code") },
      { line: 3, code: `${UNIT}-230402-0003`, field: "applicant.phone", message: expect.any(String) },
    ]);
    expect((await getDossier(`${UNIT}-230402-0001`)).status).toBe(404);
  });

  it("a body that is not a JSON array → 400; other content types → 415", async () => {
    expect((await postImport('{"code":"x"}', "application/json")).status).toBe(400);
    const truncated = await postImport(`[${JSON.stringify({ code: `${UNIT}-230403-0001`, ...specDossier() })},{"code":`, "application/json");
    expect(truncated.status).toBe(422);
    expect((await truncated.json()).error.details.errors[0].line).toBe(2);
    const xml = await postImport("<dossiers/>", "application/xml");
    expect(xml.status).toBe(415);
    expect((await xml.json()).error.code).toBe("unsupported_media_type");
    expect((await getDossier(`${UNIT}-230403-0001`)).status).toBe(404);
  });

  it("needs the staff role", async () => {
    const { createApiKey } = await import("../../src/core/api-keys.ts");
    const { key } = await createApiKey(svc.ctx.prisma, "analyst", "reader", "test");
    const res = await svc.api("/api/v1/dossiers/import", { method: "POST", key, json: [] });
    expect(res.status).toBe(403);
  });

  it("is documented in OpenAPI with both content types", async () => {
    const doc = await (await fetch(svc.url + "/api/v1/openapi.json")).json();
    const content = doc.paths["/api/v1/dossiers/import"].post.requestBody.content;
    expect(Object.keys(content).sort()).toEqual(["application/json", "text/csv"]);
    expect(JSON.stringify(content["application/json"])).toContain("procedureDurationDays");
  });
});

describe("row sources", () => {
  it("jsonRows splits elements across tiny chunks, strings with brackets and escapes included", async () => {
    const text = JSON.stringify([{ code: "a", s: 'x],{"y' }, { code: "b", n: [1, [2]] }, "z"]);
    const bytes = Buffer.from(text);
    const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const rows = await collect(jsonRows(Readable.from(pieces)));
    expect(rows.map((r) => [r.line, r.code])).toEqual([
      [1, "a"],
      [2, "b"],
      [3, undefined],
    ]);
    expect(rows[0]!.input).toEqual({ code: "a", s: 'x],{"y' });
  });

  it("csvRows yields the good lines before failing on an unclosed quote, even from one chunk", async () => {
    const open = csvLine({ code: `${UNIT}-230502-0002`, currentStep: "STEP" }).replace("STEP", '"Đang xử lý');
    const text = [HEADER, csvLine({ code: `${UNIT}-230502-0001` }), "", open, csvLine({ code: `${UNIT}-230502-0003` })].join("\n");
    const seen: number[] = [];
    const err = await (async () => {
      for await (const r of csvRows(Readable.from([Buffer.from(text)]))) seen.push(r.line);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([2]);
    expect(err).toMatchObject({ name: "ImportSourceError", line: 4 });
  });

  it("csvRows keeps Vietnamese characters split across chunks", async () => {
    const bytes = Buffer.from("\uFEFF" + [HEADER, csvLine({ code: `${UNIT}-230501-0001`, applicantName: "Đặng Thị Ánh Tuyết" })].join("\n"));
    const pieces = Array.from({ length: Math.ceil(bytes.length / 3) }, (_, i) => bytes.subarray(i * 3, i * 3 + 3));
    const rows = await collect(csvRows(Readable.from(pieces)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.line).toBe(2);
    expect((rows[0]!.input as { applicant: { name: string } }).applicant.name).toBe("Đặng Thị Ánh Tuyết");
  });
});
