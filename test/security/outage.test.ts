// Issue 10, finding 9: while the database is unreachable the API answers 503 with Retry-After
// (not 500); unauthenticated /readyz says only whether the service is ready.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminQuery, usingServer } from "../helpers/db.ts";
import { ADMIN_KEY, startTestService, specDossier, type TestService } from "../helpers/app.ts";

let svc: TestService;
const CODE = "000.00.15.H32-230112-0001";
beforeAll(async () => {
  svc = await startTestService();
  expect((await svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", json: specDossier() })).status).toBe(201);
});
afterAll(async () => {
  await svc.close().catch(() => {});
});

const dbName = () => new URL(svc.db.url!).pathname.slice(1);

/** Cut the database off: PostgreSQL refuses new connections and drops the open ones; PGlite is closed. */
async function cutDatabase(): Promise<void> {
  if (usingServer()) {
    const base = process.env.TEST_DATABASE_URL!;
    await adminQuery(base, `ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS false`);
    await adminQuery(base, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName()}' AND pid <> pg_backend_pid()`);
  } else {
    await svc.db.cut!();
  }
}

describe("readiness", () => {
  it("unauthenticated /readyz says only {ready:true}", async () => {
    const res = await fetch(`${svc.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true });
    // ?details=1 without (or with a wrong) key changes nothing.
    expect(await (await fetch(`${svc.url}/readyz?details=1`, { headers: { authorization: "Bearer nope" } })).json()).toEqual({ ready: true });
  });

  it("the admin key gets the checks with ?details=1", async () => {
    const res = await fetch(`${svc.url}/readyz?details=1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(await res.json()).toMatchObject({ ready: true, checks: [{ name: "database", ok: true }] });
  });
});

describe("database outage", () => {
  it("API reads and writes answer 503 with Retry-After; /readyz says {ready:false} and nothing else", async () => {
    await cutDatabase();
    for (const [path, init] of [
      [`/api/v1/dossiers/${CODE}`, {}],
      [`/api/v1/dossiers/${CODE}`, { method: "PUT", json: specDossier({ status: 5 }) }],
      [`/api/v1/dossiers/${CODE}/events`, { method: "POST", json: { eventId: "e1", status: 9, at: "2023-01-20T09:00:00+07:00" } }],
    ] as const) {
      const res = await svc.api(path, init);
      expect(res.status, `${path} ${JSON.stringify(init)}`).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await res.json()).error.code).toBe("unavailable");
    }
    // A database key cannot be checked during the outage: 503 as well, not 401 or 500.
    const keyed = await svc.api(`/api/v1/dossiers/${CODE}`, { key: "dbk_someone_elses_key_0123456789" });
    expect(keyed.status).toBe(503);

    const ready = await fetch(`${svc.url}/readyz`);
    expect(ready.status).toBe(503);
    const text = await ready.text();
    expect(JSON.parse(text)).toEqual({ ready: false });
    expect(text).not.toMatch(/\.ts|postgres|pglite|dbt_|embedded|server/i);
    const details = await fetch(`${svc.url}/readyz?details=1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(await details.json()).toMatchObject({ ready: false, checks: [{ name: "database", ok: false }] });
  });

  it.runIf(usingServer())("PostgreSQL back: the API answers again", async () => {
    await adminQuery(process.env.TEST_DATABASE_URL!, `ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`);
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await svc.api(`/api/v1/dossiers/${CODE}`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
