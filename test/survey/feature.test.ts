// surveyFeature(): what it plugs into a starting service.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppExtras } from "../../src/api/app.ts";
import { surveyFeature } from "../../src/bot/survey-feature.ts";
import { loadConfig } from "../../src/config.ts";
import { createContext, type AppContext } from "../../src/context.ts";
import { silentLogger } from "../../src/logger.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

let db: TestDatabase;
let ctx: AppContext;
beforeAll(async () => {
  db = await createTestDatabase();
  ctx = await createContext(loadConfig({ HASH_PEPPER: "test-pepper-0123456789abcdef", LOG_LEVEL: "silent" }), db, silentLogger);
});
afterAll(async () => {
  await db?.close();
});

describe("surveyFeature", () => {
  it("registers the status listener and the routes, seeds survey v1, runs the scheduler until stopped", async () => {
    const extras: Required<Pick<AppExtras, "routers" | "readinessChecks" | "routeModules">> = { routers: [], readinessChecks: [], routeModules: [] };
    const started = await surveyFeature({ intervalMs: 20 }).start(ctx, extras);
    expect(ctx.statusListeners).toHaveLength(1);
    expect(extras.routeModules.map((m) => m.name)).toEqual(["surveyRoutes", "feedbackRoutes", "statsRoutes"]);
    expect(started?.lines?.[0]).toMatch(/^  Survey v1: asked on no channel \(none configured\)/);
    expect(await ctx.prisma.surveyVersion.count()).toBe(1);
    // The service's own conversation now hands survey buttons to the survey.
    const replies = await ctx.conversation.handle({ channel: "telegram", userId: "990001", input: { kind: "button", data: "v:1:0:0" } });
    expect(replies.map((r) => r.text)).toEqual(["Nút này không còn dùng được."]);
    await new Promise((r) => setTimeout(r, 60));
    await started?.stop?.();
    await started?.stop?.(); // idempotent
  });
});
