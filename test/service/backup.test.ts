// Backup and restore round-trip a populated database: every table, every row, every column,
// and the id sequences continue after the restored rows. A backup of the embedded database
// restores into a PostgreSQL server too (same format).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { backupDatabase, BackupError, restoreDatabase, tablesInOrder } from "../../src/db/backup.ts";
import { verifyAggregates } from "../../src/core/stats/aggregates.ts";
import { linkById } from "../conversation/helpers.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

let s: TestService;
let dir: string;
beforeAll(async () => {
  s = await startTestService();
  dir = mkdtempSync(join(tmpdir(), "backup-test-"));
  // A populated database: dossiers with history, a linked citizen, an audit trail, settings, JSON, enums.
  for (let k = 1; k <= 3; k++) {
    expect((await s.api(`/api/v1/dossiers/000.00.15.H32-230112-000${k}`, { method: "PUT", json: specDossier({ status: 4 }) })).status).toBe(201);
  }
  await s.api("/api/v1/dossiers/000.00.15.H32-230112-0001/events", { method: "POST", json: { eventId: "e1", status: 9, at: "2023-02-01T10:00:00+07:00" } });
  const user = {
    text: (text: string) => s.ctx.conversation.handle({ channel: "telegram", userId: "b1", input: { kind: "text", text } }),
    press: (data: string) => s.ctx.conversation.handle({ channel: "telegram", userId: "b1", input: { kind: "button", data } }),
  };
  await linkById(user as never, "000.00.15.H32-230112-0001");
  await s.ctx.conversation.handle({ channel: "zalo", userId: "z1", input: { kind: "text", text: "brrr brrr" } });
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every table as JSON rows in key order. */
async function snapshot(prisma: PrismaClient): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of await tablesInOrder(prisma)) {
    const order = (t.primaryKey.length ? t.primaryKey : ["ctid"]).map((c) => `"${c}"`).join(", ");
    const rows = await prisma.$queryRawUnsafe<{ j: string }[]>(`SELECT row_to_json(t)::text AS j FROM "${t.name}" t ORDER BY ${order}`);
    out[t.name] = rows.map((r) => r.j);
  }
  return out;
}

describe("backup and restore", () => {
  it("round-trips every table and row, and new rows get fresh ids afterwards", async () => {
    const file = join(dir, "round.backup.gz");
    const before = await snapshot(s.ctx.prisma);
    expect(before.Dossier).toHaveLength(3);
    expect(before.DossierLink).toHaveLength(1);
    const summary = await backupDatabase(s.ctx.prisma, file);
    expect(summary.rows).toBe(Object.values(before).reduce((n, r) => n + r.length, 0));

    const target: TestDatabase = await createTestDatabase();
    try {
      const restored = await restoreDatabase(target.prisma, file);
      expect(restored.rows).toBe(summary.rows);
      expect(await snapshot(target.prisma)).toEqual(before);
      // The index aggregates are not in the file: the triggers recounted them from the restored rows.
      const aggregates = (p: PrismaClient) => p.$queryRawUnsafe<{ j: string }[]>(`SELECT row_to_json(a)::text AS j FROM "DossierDaily" a WHERE n <> 0 ORDER BY 1`);
      expect((await aggregates(target.prisma)).length).toBeGreaterThan(0);
      expect(await aggregates(target.prisma)).toEqual(await aggregates(s.ctx.prisma));
      expect((await verifyAggregates(target.prisma)).ok).toBe(true);
      // Sequences continue after the restored ids.
      const maxId = Math.max(...(await target.prisma.auditLog.findMany({ select: { id: true } })).map((r) => Number(r.id)));
      const next = await target.prisma.auditLog.create({ data: { actor: "test", action: "after.restore" } });
      expect(Number(next.id)).toBeGreaterThan(maxId);
      // A second restore into a non-empty database is refused unless asked to replace.
      await expect(restoreDatabase(target.prisma, file)).rejects.toThrow(/not empty/);
      await restoreDatabase(target.prisma, file, { replace: true });
      expect(await snapshot(target.prisma)).toEqual(before);
    } finally {
      await target.close();
    }
  });

  it("refuses files that are not backups, or cut short, and changes nothing", async () => {
    const target = await createTestDatabase();
    try {
      const junk = join(dir, "junk.gz");
      writeFileSync(junk, "not gzip at all");
      await expect(restoreDatabase(target.prisma, junk)).rejects.toThrow();
      const file = join(dir, "full.backup.gz");
      await backupDatabase(s.ctx.prisma, file);
      const { gunzipSync, gzipSync } = await import("node:zlib");
      const { readFileSync } = await import("node:fs");
      const lines = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
      const cut = join(dir, "cut.backup.gz");
      writeFileSync(cut, gzipSync(lines.slice(0, Math.floor(lines.length / 2)).join("\n") + "\n"));
      await expect(restoreDatabase(target.prisma, cut)).rejects.toBeInstanceOf(BackupError);
      expect(await target.prisma.dossier.count()).toBe(0);
    } finally {
      await target.close();
    }
  });
});
