// Admin API for survey versions: list, current, publish (validated, audit-logged).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { surveyRoutes } from "../../src/api/routes/surveys.ts";
import { createApiKey } from "../../src/core/api-keys.ts";
import { DEFAULT_SURVEY, parseDefinition } from "../../src/core/survey/definition.ts";
import { startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
let analystKey: string;

beforeAll(async () => {
  svc = await startTestService({}, () => ({ routeModules: [surveyRoutes] }));
  analystKey = (await createApiKey(svc.ctx.prisma, "analyst", "analyst", "test")).key;
});
afterAll(async () => {
  await svc?.close();
});

describe("/api/v1/surveys", () => {
  it("version 1 is seeded on first use, with Vietnamese and English texts", async () => {
    const res = await svc.api("/api/v1/surveys/current");
    expect(res.status).toBe(200);
    const v = await res.json();
    expect(v).toMatchObject({ version: 1, publishedBy: "system", current: true });
    expect(v.definition.questions.map((q: { id: string }) => q.id)).toEqual(["overall", "reasons", "comment", "visits", "on_time", "staff_attitude"]);
    expect(v.definition.questions[0].choices.map((c: { label: { vi: string } }) => c.label.vi)).toEqual(["Rất hài lòng", "Hài lòng", "Không hài lòng"]);
    expect(v.definition.questions[1]).toMatchObject({ required: true, showIf: { question: "overall", anyOf: ["not_satisfied"] } });
  });

  it("publishes a new version (201, audit-logged); the list shows both, newest first", async () => {
    const def = parseDefinition(DEFAULT_SURVEY);
    def.title = { vi: "Khảo sát 2026", en: "Survey 2026" };
    const res = await svc.api("/api/v1/surveys", { method: "POST", json: def });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ version: 2, publishedBy: "bootstrap", current: true });
    const list = await (await svc.api("/api/v1/surveys")).json();
    expect(list.items.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    const audit = await svc.ctx.prisma.auditLog.findFirstOrThrow({ where: { action: "survey.publish" } });
    expect(audit).toMatchObject({ actor: "bootstrap", target: "survey:v2" });
  });

  it("refuses an invalid definition with every problem and its path (422), publishing nothing", async () => {
    const def = parseDefinition(DEFAULT_SURVEY) as unknown as { questions: Record<string, unknown>[] };
    def.questions[0]!.choices = [
      { value: "good", label: { vi: "Tốt", en: "Good" } },
      { value: "bad", label: { vi: "Xấu", en: "Bad" } },
    ];
    def.questions[1]!.showIf = { question: "staff_attitude", anyOf: ["bad"] };
    (def.questions[3]!.text as { vi: string }).vi = "Câu {x}";
    const res = await svc.api("/api/v1/surveys", { method: "POST", json: def });
    expect(res.status).toBe(422);
    const err = (await res.json()).error;
    expect(err.code).toBe("validation_failed");
    const paths = err.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["questions.0.choices", "questions.1.showIf", "questions.3.text.vi"]));
    expect((await svc.api("/api/v1/surveys", { method: "POST", json: { title: "x" } })).status).toBe(422);
    expect((await (await svc.api("/api/v1/surveys")).json()).items).toHaveLength(2);
  });

  it("is for admins", async () => {
    expect((await svc.api("/api/v1/surveys", { key: analystKey })).status).toBe(403);
    expect((await svc.api("/api/v1/surveys", { method: "POST", key: analystKey, json: {} })).status).toBe(403);
  });
});
