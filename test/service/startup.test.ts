// The service as a process: fresh start on the embedded database, readable configuration
// errors, a second process on the same folder refused, graceful shutdown.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { usingServer } from "../helpers/db.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/app/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", PORT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, output: () => out, exited };
}

async function waitFor(pred: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(usingServer())("service process", () => {
  it("starts on a fresh embedded database with demo data, refuses a second process, and shuts down gracefully", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "dossier-bot-"));
    dirs.push(dataDir);
    const first = run({ DATA_DIR: dataDir });
    await waitFor(() => /running on (http:\S+)/.test(first.output()));
    const url = /running on (http:\S+)/.exec(first.output())![1]!;
    expect(first.output()).toContain("DEMO DATA");
    expect(first.output()).toMatch(/Telegram:\s+disabled — TELEGRAM_BOT_TOKEN not set/);

    const ready = await fetch(url + "/readyz");
    expect(ready.status).toBe(200);
    expect((await fetch(url + "/healthz")).status).toBe(200);

    const second = run({ DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by process \d+/);
    expect(second.output()).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    // The running service did not notice.
    expect((await fetch(url + "/readyz")).status).toBe(200);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    // Restart on the same folder: no second demo seed, migrations already applied.
    const again = run({ DATA_DIR: dataDir });
    await waitFor(() => /running on/.test(again.output()));
    expect(again.output()).not.toContain("DEMO DATA");
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);
  });

  it("SIGTERM lets an in-flight request finish before the process exits", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "dossier-bot-"));
    dirs.push(dataDir);
    const key = "graceful-admin-key-0123456789";
    const svc = run({ DATA_DIR: dataDir, ADMIN_API_KEY: key, DEMO_DATA: "off" });
    await waitFor(() => /running on (http:\S+)/.test(svc.output()));
    const url = /running on (http:\S+)/.exec(svc.output())![1]!;
    const row = JSON.stringify({
      code: "000.00.15.H32-230112-0777",
      unitCode: "000.00.15.H32",
      unitName: "UBND phường Cam Lộc",
      procedureCode: "1.004227",
      procedureName: "Đăng ký biến động",
      procedureDurationDays: 10,
      applicant: { name: "Nguyễn Văn A" },
      receivedAt: "2023-01-12T09:00:00+07:00",
      status: 4,
    });
    // The body arrives in two parts; the signal comes between them.
    let sendRest!: () => void;
    const body = new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(new TextEncoder().encode("[" + row.slice(0, 40)));
        await new Promise<void>((r) => (sendRest = r));
        c.enqueue(new TextEncoder().encode(row.slice(40) + "]"));
        c.close();
      },
    });
    const pending = fetch(url + "/api/v1/dossiers/import", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    await new Promise((r) => setTimeout(r, 300));
    svc.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    sendRest();
    const res = await pending;
    expect(res.status).toBe(200);
    expect((await res.json()).imported).toBe(1);
    expect(await svc.exited).toBe(0);
  });

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
    const dataDir = mkdtempSync(path.join(tmpdir(), "dossier-bot-"));
    dirs.push(dataDir);
    try {
      const svc = run({ DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1" });
      expect(await svc.exited).toBe(1);
      const lines = svc.output().trim().split("\n");
      expect(lines).toEqual([`Port ${port} on 127.0.0.1 is already in use by another process: stop it, or start with PORT=<a free port>.`]);
      // Nothing was created: the data folder has no database.
      const { readdirSync } = await import("node:fs");
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
