// Three instances of the service on one PostgreSQL and one fake Bot API that enforces 30
// messages/s for the bot: one broadcast is delivered once to everyone at the shared pace, with
// no 429, also when an instance is SIGKILLed mid-way; periodic jobs and long polling run once.
// (PostgreSQL only: the embedded database belongs to one process.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, usingServer, type TestDatabase } from "../helpers/db.ts";
import { loadConfig } from "../../src/app/config.ts";
import { modules } from "../../src/app/modules.ts";
import { startService, StartupRefusedError } from "../../src/app/service.ts";
import { silentLogger } from "../../src/logger.ts";
import { broadcastAcross, seedRecipients, startInstance, startThrottledTelegram, stopInstance, TOKEN, type Instance, type ThrottledTelegram } from "./harness.ts";

const RECIPIENTS = Number(process.env.SCALE_OUT_RECIPIENTS ?? 600);

describe.skipIf(!usingServer())("three instances, one PostgreSQL, one pace", () => {
  let db: TestDatabase;
  let fake: ThrottledTelegram;
  const instances: Instance[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startThrottledTelegram({ rate: 30 });
    await seedRecipients(db.prisma, RECIPIENTS, "SO1", 700_000_000);
    // One at a time: the first applies nothing new (the template is migrated), the others just open.
    instances.push(...(await Promise.all(["inst-1", "inst-2", "inst-3"].map((name) => startInstance(name, db.url!, fake.apiRoot)))));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
    await fake?.close();
    await db?.close();
  }, 60_000);

  it("delivers a broadcast once to every recipient at 0.95–1.0 of the bot's limit with no 429, while one instance is killed", async () => {
    const run = await broadcastAcross({ prisma: db.prisma, fake, instances, recipients: RECIPIENTS, unitCode: "SO1", killAt: 1 / 3 });
    console.log(`three instances: ${JSON.stringify(run)}`);
    expect(run.killed).toBe("inst-2");
    expect(run.lost).toBe(0);
    expect(run.duplicates).toBeLessThanOrEqual(run.inFlightAtKill);
    expect(run.limited).toBe(0);
    expect(run.rate / 30).toBeGreaterThanOrEqual(0.95);
    // Paced exactly at the limit; the rate is measured between arrivals at the fake, and the
    // first arrival can be late by a busy event loop (up to ≈0.1 s), which shortens the span by
    // as much. The exact check is the fake's own token bucket above: no 429.
    expect(run.rate / 30).toBeLessThanOrEqual(1 + 0.1 / run.seconds);
  }, 300_000);

  it("runs a periodic job on one instance at a time and refuses a second long-polling instance", async () => {
    const { runExclusive } = await import("../../src/core/jobs.ts");
    let inside = 0;
    let max = 0;
    const job = () =>
      runExclusive(db.prisma, "scale-out-job", async () => {
        inside++;
        max = Math.max(max, inside);
        await new Promise((r) => setTimeout(r, 150));
        inside--;
        return true;
      });
    const ran = await Promise.all([job(), job(), job()]);
    expect(max).toBe(1);
    expect(ran.filter(Boolean).length).toBeGreaterThanOrEqual(1);

    // A polling instance holds the lease; a second one is refused before it polls (src/app/main.ts
    // prints a StartupRefusedError as its one line and exits 1). In this process, as two services.
    const config = loadConfig({
      DATABASE_URL: db.url!,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_MODE: "polling",
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      HASH_PEPPER: "scale-out-pepper-0123456789",
      OPEN_DATA: "off",
    });
    const poller = await startService(config, silentLogger, modules());
    try {
      const second = startService(config, silentLogger, modules());
      await expect(second).rejects.toThrow(StartupRefusedError);
      await expect(second).rejects.toThrow(/long polling already runs on another instance/);
    } finally {
      await poller.stop();
    }
  }, 240_000);
});
