// The operator's CLI: API keys and file import against a real database.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/app/cli.ts";
import { createTestDatabase, usingServer, type TestDatabase } from "../helpers/db.ts";

const dir = mkdtempSync(path.join(tmpdir(), "dossier-cli-"));
let env: Record<string, string>;
let serverDb: TestDatabase | undefined;

beforeAll(async () => {
  env = { PATH: process.env.PATH ?? "", LOG_LEVEL: "silent", HASH_PEPPER: "cli-test-pepper-0123456789" };
  if (usingServer()) {
    serverDb = await createTestDatabase();
    await serverDb.prisma.$disconnect();
    env.DATABASE_URL = serverDb.url!;
  } else env.DATA_DIR = path.join(dir, "data");
});
afterAll(async () => {
  await serverDb?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli(argv, (l) => lines.push(l), env);
  return { code, out: lines.join("\n") };
}

const HEADER = "code,unitCode,unitName,fieldCode,fieldName,procedureCode,procedureName,procedureDurationDays,applicantName,applicantPhone,applicantIdNumber,receivedAt,appointmentAt,status,returnMethod,currentStep";

describe("npm run cli", () => {
  it("creates an API key, prints it once, lists it without the secret, revokes it", async () => {
    const created = await cli("api-key", "create", "--role", "staff", "--name", "Chị Lan");
    expect(created.code).toBe(0);
    const key = /dbk_\S+/.exec(created.out)![0];
    const list = await cli("api-key", "list");
    expect(list.out).toContain("Chị Lan");
    expect(list.out).toContain("staff");
    expect(list.out).not.toContain(key);
    const id = /#(\d+)/.exec(list.out)![1]!;
    expect((await cli("api-key", "revoke", id)).out).toContain(`Revoked key #${id}`);
    expect((await cli("api-key", "list")).out).toContain("revoked");
  });

  it("answers usage, unknown commands and argument errors without opening the database", async () => {
    const fresh = { ...env, DATA_DIR: path.join(dir, "never-created"), DATABASE_URL: "" };
    const run = async (...argv: string[]) => {
      const lines: string[] = [];
      const code = await runCli(argv, (l) => lines.push(l), fresh);
      return { code, out: lines.join("\n") };
    };
    const unknown = await run("frobnicate", "now");
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/^Unknown command: frobnicate now/);
    expect(unknown.out).toContain("api-key create");
    const boss = await run("api-key", "create", "--role", "boss", "--name", "x");
    expect(boss.code).toBe(2);
    expect(boss.out).toContain("--role must be one of staff, analyst, admin");
    expect((await run("export", "feedback", "--format", "pdf", "--out", "x")).out).toContain("--format must be csv or xlsx");
    expect((await run("restore")).code).toBe(2);
    expect((await run()).code).toBe(0);
    const { existsSync } = await import("node:fs");
    expect(existsSync(fresh.DATA_DIR)).toBe(false);
  });

  it("rejects a bad role with usage and exit code 2", async () => {
    const r = await cli("api-key", "create", "--role", "mayor", "--name", "x");
    expect(r.code).toBe(2);
    expect(r.out).toContain("usage");
  });

  it("imports a CSV file, and a file with a bad row imports nothing and names the line", async () => {
    const good = path.join(dir, "good.csv");
    writeFileSync(
      good,
      [
        HEADER,
        "000.00.15.H32-230112-0101,000.00.15.H32,UBND phường Cam Lộc,DD,Đất đai,1.004227,Đăng ký biến động,10,Nguyễn Văn A,0905123456,056089001234,2023-01-12T09:00:00+07:00,,4,counter,Thẩm định",
      ].join("\n"),
    );
    const ok = await cli("import", good);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("Imported 1 dossiers (1 new");

    const bad = path.join(dir, "bad.csv");
    writeFileSync(
      bad,
      [
        HEADER,
        "000.00.15.H32-230112-0102,000.00.15.H32,UBND phường Cam Lộc,DD,Đất đai,1.004227,Đăng ký biến động,10,Trần B,0905123457,,2023-01-12T09:00:00+07:00,,4,counter,",
        "000.00.15.H32-230112-0103,000.00.15.H32,UBND phường Cam Lộc,DD,Đất đai,1.004227,Đăng ký biến động,10,Lê C,0905123458,,2023-01-12T09:00:00+07:00,,42,counter,",
      ].join("\n"),
    );
    const r = await cli("import", bad);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Nothing imported");
    expect(r.out).toMatch(/line 3/);
    const rows = await cli("api-key", "list"); // the database is still usable
    expect(rows.code).toBe(0);
  });

  it("prints the command list for an unknown command", async () => {
    const r = await cli("frobnicate");
    expect(r.code).toBe(2);
    expect(r.out).toContain("api-key create");
    expect(r.out).toContain("telegram set-webhook");
  });

  it("telegram set-webhook explains what is missing", async () => {
    const r = await cli("telegram", "set-webhook");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/TELEGRAM_BOT_TOKEN|PUBLIC_URL/);
  });
});
