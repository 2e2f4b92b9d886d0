// The hot statements that bypass Prisma (src/db/sql.ts) read and write exactly what Prisma's
// raw query would: the same values for every column type they use, the same errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyError } from "../../src/api/errors.ts";
import { prismaSql, sqlOf } from "../../src/db/sql.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const PROBE = `SELECT $1::timestamp(3) AS "at", $2::bigint AS "big", $3::int AS "small", $4::jsonb AS "doc", $5::text[] AS "list",
                      $6::text AS "none", $7::boolean AS "flag", $8::text AS "text", now() > $1::timestamp(3) AS "past"`;
const VALUES = [new Date("2025-03-04T05:06:07.089Z"), 9007199254740993n, 42, JSON.stringify({ a: [1, "hai"] }), ["một", "hai, ba", 'q"uote'], null, true, "Đăng ký khai sinh"];

describe("hot statements outside Prisma", () => {
  it("return the same values as Prisma's raw query, timestamps read as UTC", async () => {
    const direct = sqlOf(db.prisma);
    expect(direct).not.toBe(prismaSql(db.prisma));
    const [ours] = await direct.rows<Record<string, unknown>>(PROBE, VALUES);
    const [theirs] = await prismaSql(db.prisma).rows<Record<string, unknown>>(PROBE, VALUES);
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({
      at: new Date("2025-03-04T05:06:07.089Z"),
      big: 9007199254740993n,
      small: 42,
      doc: { a: [1, "hai"] },
      list: ["một", "hai, ba", 'q"uote'],
      none: null,
      flag: true,
      text: "Đăng ký khai sinh",
      past: true,
    });
  });

  it("write a timestamp that Prisma reads back as the same instant", async () => {
    const at = new Date("2026-01-02T23:30:00.000Z");
    const [row] = await sqlOf(db.prisma).rows<{ id: bigint }>(
      `INSERT INTO "AuditLog" ("at", "actor", "action") VALUES ($1, 'test', 'probe') RETURNING "id"`,
      [at],
    );
    expect(typeof row!.id).toBe("bigint");
    const back = await db.prisma.auditLog.findUniqueOrThrow({ where: { id: row!.id } });
    expect(back.at).toEqual(at);
  });

  it("give the database's refusal as the same client error (NUL in JSON), and go on working", async () => {
    const err = await sqlOf(db.prisma)
      .rows(`SELECT $1::jsonb AS "doc"`, ['{"text":"a\\u0000b"}'])
      .then(() => null, (e: unknown) => e);
    expect(classifyError(err)).toMatchObject({ status: 400, code: "out_of_range" });
    const [ok] = await sqlOf(db.prisma).rows<{ n: number }>(`SELECT $1::int + 1 AS "n"`, [1]);
    expect(ok!.n).toBe(2);
  });

  it("read many rows and columns, NULLs and non-ASCII names exactly as Prisma's raw query; a statement without rows gives []", async () => {
    const text = `SELECT g AS "số", CASE WHEN g % 3 = 0 THEN NULL ELSE repeat('ư', g) END AS "chữ", g::float8 / 4 AS "f", (g % 2 = 0) AS "even",
                         ARRAY[g, g + 1] AS "pair", NULL::timestamp(3) AS "never", '' AS "empty"
                  FROM generate_series(1, $1::int) g`;
    const ours = await sqlOf(db.prisma).rows<Record<string, unknown>>(text, [300]);
    expect(ours).toHaveLength(300);
    expect(ours).toEqual(await prismaSql(db.prisma).rows(text, [300]));
    expect(ours[1]).toEqual({ số: 2, chữ: "ưư", f: 0.5, even: true, pair: [2, 3], never: null, empty: "" });
    expect(await sqlOf(db.prisma).rows(`INSERT INTO "AuditLog" ("at", "actor", "action") VALUES ($1, 'test', 'no-rows')`, [new Date()])).toEqual([]);
  });

  it("give a syntax error and a unique violation with their SQLSTATE and detail, and go on working", async () => {
    const sql = sqlOf(db.prisma);
    const syntax = await sql.rows(`SELEC 1`).then(() => null, (e: unknown) => e as { code?: string; severity?: string; message: string });
    expect(syntax).toMatchObject({ code: "42601", severity: "ERROR" });
    expect(syntax!.message).toMatch(/syntax error/);
    await sql.rows(`INSERT INTO "Field" ("code", "name") VALUES ($1, 'probe')`, ["ZZ-HOT"]);
    const dup = await sql.rows(`INSERT INTO "Field" ("code", "name") VALUES ($1, 'probe')`, ["ZZ-HOT"]).then(() => null, (e: unknown) => e as Record<string, unknown>);
    expect(dup).toMatchObject({ code: "23505", severity: "ERROR" });
    expect(String(dup!.detail)).toContain("ZZ-HOT");
    expect(classifyError(dup)).toMatchObject({ status: 409 });
    expect((await sql.rows<{ n: number }>(`SELECT $1::int + 1 AS "n"`, [41]))[0]!.n).toBe(42);
  });

  it("prepare a statement again when the session forgot it (DISCARD ALL)", async () => {
    const sql = sqlOf(db.prisma);
    const text = `SELECT $1::int * 2 AS "n"`;
    expect((await sql.rows<{ n: number }>(text, [21]))[0]!.n).toBe(42);
    // On the server the pool has several sessions; on PGlite there is one, and this forgets it all.
    await sql.rows(`DISCARD ALL`);
    expect((await sql.rows<{ n: number }>(text, [5]))[0]!.n).toBe(10);
  });
});

describe("lookups every chat message makes", () => {
  // The account statement (PrismaConversationStore.touchAccount) reads the citizen's other
  // accounts. Without an index on the citizen, each message scanned every chat account of the
  // city: the cost of a message grew with the number of citizens.
  it("find a citizen's other accounts through an index, not by reading every account", async () => {
    const p = db.prisma;
    await p.$executeRawUnsafe(`INSERT INTO "Citizen" ("updatedAt") SELECT now() FROM generate_series(1, 20000)`);
    await p.$executeRawUnsafe(`INSERT INTO "ChannelAccount" ("channel", "platformUserId", "citizenId") SELECT 'telegram', 'scan-' || c.id, c.id FROM "Citizen" c`);
    await p.$executeRawUnsafe(`ANALYZE "Citizen"`);
    await p.$executeRawUnsafe(`ANALYZE "ChannelAccount"`);
    const id = (await p.$queryRawUnsafe<{ id: number }[]>(`SELECT max(id) AS id FROM "Citizen"`))[0]!.id;
    const plan = async (sql: string) => (await p.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${sql}`)).map((r) => r["QUERY PLAN"]).join("\n");
    const accounts = await plan(`SELECT array_agg(DISTINCT a."channel"::text) FROM "ChannelAccount" a WHERE a."citizenId" = ${id}`);
    expect(accounts).not.toMatch(/Seq Scan on "ChannelAccount"/);
    expect(accounts).toMatch(/Index/);
  });
});
