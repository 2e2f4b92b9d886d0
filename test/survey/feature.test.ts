// surveyModule(): what it declares to a starting service.
import { describe, expect, it, vi } from "vitest";
import { surveyModule } from "../../src/app/survey.ts";
import { startTestService } from "../helpers/app.ts";

describe("the survey module", () => {
  it("declares its listener, routes and job; seeds survey v1; the job reminds until the service stops", async () => {
    const svc = await startTestService({ DEMO_DATA: "off" }, undefined, { modules: [surveyModule({ intervalMs: 20 })] });
    try {
      expect(svc.lines[0]).toMatch(/^  Survey v1: asked on no channel \(none configured\)/);
      expect(await svc.ctx.prisma.surveyVersion.count()).toBe(1);
      const doc = (await (await svc.api("/api/v1/openapi.json")).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/surveys", "/api/v1/feedback", "/api/v1/stats/satisfaction"]));
      // The service's own conversation hands survey buttons to the survey.
      const replies = await svc.ctx.conversation.handle({ channel: "telegram", userId: "990001", input: { kind: "button", data: "v:1:0:0" } });
      expect(replies.map((r) => r.text)).toEqual(["Nút này không còn dùng được."]);
      // The schedule runs as a job under its lease.
      await vi.waitFor(async () => expect(await svc.ctx.prisma.jobLease.count({ where: { name: "survey-schedule" } })).toBe(1), { timeout: 5_000 });
      // Listeners are attached once, by the composition.
      expect(() => svc.ctx.statusEvents.attach([])).toThrow(/once/);
    } finally {
      await svc.close();
    }
  });

  it("asks on the /try chat too on the demo database", async () => {
    const svc = await startTestService({}, undefined, { modules: [surveyModule()] });
    try {
      expect(svc.lines[0]).toMatch(/^  Survey v1: asked on web when a dossier is returned/);
    } finally {
      await svc.close();
    }
  });
});
