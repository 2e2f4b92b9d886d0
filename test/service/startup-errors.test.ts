// Start-up refusals, each one line and exit 1, nothing created: a wrong setting, a port in
// use, a missing or unreachable database. And the migrations' record, and the landing page.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { usingServer } from "../helpers/db.ts";
import { ROOT, serviceProcesses } from "../helpers/service-process.ts";

const { run, tempDir } = serviceProcesses();

describe.skipIf(usingServer())("a wrong setting", () => {
  it("a wrong setting stops the process with one line naming the variable", async () => {
    const bad = run({ PORT: "eighty", DATA_DIR: path.join(tmpdir(), "never-created") });
    expect(await bad.exited).toBe(1);
    const lines = bad.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Configuration error: PORT/);
  });

  it("a wrong delivery setting also stops the start with one line", async () => {
    const bad = run({ QUIET_HOURS: "late", DATA_DIR: path.join(tmpdir(), "never-created") });
    expect(await bad.exited).toBe(1);
    const lines = bad.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Configuration error: QUIET_HOURS/);
  });
});

describe("migrations", () => {
  it("writes the same _prisma_migrations rows as prisma migrate deploy (sha256 checksums)", async () => {
    const { createTestDatabase } = await import("../helpers/db.ts");
    const db = await createTestDatabase();
    try {
      const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: Date | null }[]>(
        `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(3);
      for (const r of rows) {
        const sql = readFileSync(path.join(ROOT, "prisma/migrations", r.migration_name, "migration.sql"));
        expect(r.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
        expect(r.finished_at).not.toBeNull();
      }
      expect(await db.ready()).toBe(true);
    } finally {
      await db.close();
    }
  });

  it("a port already in use: one line naming the port, exit 1, and no demo data or key created", async () => {
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = tempDir();
    try {
      const svc = run({ DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1" });
      expect(await svc.exited).toBe(1);
      const lines = svc.output().trim().split("\n");
      expect(lines).toEqual([`Port ${port} on 127.0.0.1 is already in use by another process: stop it, or start with PORT=<a free port>.`]);
      // Nothing was created: the data folder has no database.
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      blocker.close();
    }
  });
});

// Process-level checks run once (the embedded project); they point at the server themselves.
describe.skipIf(usingServer())("service process on a PostgreSQL server", () => {
  it("a missing database: one line with the createdb hint", async () => {
    const base = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
    const u = new URL(base);
    u.pathname = "/no_such_database_for_this_test";
    const svc = run({ DATABASE_URL: u.toString() });
    expect(await svc.exited).toBe(1);
    const lines = svc.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^The database "no_such_database_for_this_test" does not exist on 127\.0\.0\.1:5432\. Create it first: createdb -h 127\.0\.0\.1 -p 5432 -U postgres no_such_database_for_this_test$/);
  });

  it("an unreachable server: one line, no stack trace", async () => {
    const svc = run({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/whatever" });
    expect(await svc.exited).toBe(1);
    const lines = svc.output().trim().split("\n");
    expect(lines).toEqual(["Cannot reach the PostgreSQL server at 127.0.0.1:1 (ECONNREFUSED): is it running, and is DATABASE_URL right?"]);
  });
});

describe.skipIf(usingServer())("landing page", () => {
  it("GET / links the try page, the dashboard and the API documentation", async () => {
    const { startTestService } = await import("../helpers/app.ts");
    const s = await startTestService();
    try {
      const res = await fetch(s.url + "/");
      expect(res.status).toBe(200);
      const html = await res.text();
      for (const href of ["/try", "/dashboard", "/api/v1/openapi.json"]) expect(html).toContain(`href="${href}"`);
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(html).not.toMatch(/<script/i);
    } finally {
      await s.close();
    }
  });
});
