// Status lookup benchmark: `npm run bench:status [-- dossiers]` (default 1,000,000; BENCH_QUICK
// 100,000). Seeds the dossiers with generate_series in SQL, links 1,000 citizens to random ones,
// then measures, in the same run and interleaved, p50/p99 of
//   ours   PrismaConversationStore.citizenDossier(citizenId, dossierId) — what the conversation
//          reads for a linked dossier's card (link check + dossier + unit + procedure);
//   floor  one raw SQL statement fetching the same row (same columns, same join) on a plain
//          driver connection (pg.Client on PostgreSQL, the PGlite instance itself embedded).
// Targets: ours p99 < 5 ms and ≤ 2× the floor's p99. Writes bench/results/status-lookup-<db>.json.
import pg from "pg";
import { PrismaConversationStore } from "../src/core/conversation/prisma-store.ts";
import { IdentityHasher } from "../src/core/identity.ts";
import { benchDbKind, createBenchDatabase, fmt, openTarget, percentile, ratioOf, writeResults } from "./lib.ts";

const N = Number(process.argv[2] ?? (process.env.BENCH_QUICK ? 100_000 : 1_000_000));
const CITIZENS = 1_000;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5_000);

const RAW = `SELECT d."id", d."code", d."receivedAt", d."appointmentAt", d."originalAppointmentAt", d."status", d."statusAt", d."currentStep",
       d."returnMethod", d."postalDelivered", d."feeStatus", d."feeAmount", d."supplementCount", d."supplementReason", d."stopReason",
       d."finishedAt", d."returnedAt", u."id" AS "unitId", u."name" AS "unitName", u."address", u."hotline", u."openingHours", p."name" AS "procedureName"
  FROM "DossierLink" l JOIN "Dossier" d ON d."id" = l."dossierId" JOIN "Unit" u ON u."id" = d."unitId" JOIN "Procedure" p ON p."id" = d."procedureId"
 WHERE l."citizenId" = $1 AND l."dossierId" = $2`;

async function main(): Promise<void> {
  const kind = benchDbKind();
  const bench = await createBenchDatabase("status_lookup");
  const db = await openTarget(bench.target);
  try {
    const { prisma } = db;
    const t0 = performance.now();
    await prisma.$executeRawUnsafe(`INSERT INTO "Unit" ("code", "name", "level", "updatedAt") SELECT '000.' || lpad(g::text, 2, '0') || '.15.H32', 'UBND phường ' || g, 'ward', now() FROM generate_series(0, 19) g`);
    await prisma.$executeRawUnsafe(`INSERT INTO "Procedure" ("code", "name", "durationDays", "updatedAt") SELECT '1.' || lpad(g::text, 6, '0'), 'Thủ tục ' || g, 10, now() FROM generate_series(1, 50) g`);
    const step = 100_000;
    for (let from = 1; from <= N; from += step) {
      const to = Math.min(N, from + step - 1);
      await prisma.$executeRawUnsafe(
        `INSERT INTO "Dossier" ("code", "unitId", "procedureId", "applicantName", "applicantPhone", "receivedAt", "appointmentAt", "status", "statusAt", "currentStep", "updatedAt")
         SELECT '000.00.15.H32-' || to_char(date '2024-01-01' + (g % 700), 'YYMMDD') || '-' || lpad(g::text, 7, '0'),
                (SELECT min(id) FROM "Unit") + g % 20, (SELECT min(id) FROM "Procedure") + g % 50, 'Nguyễn Văn ' || g, '09' || lpad((g % 100000000)::text, 8, '0'),
                timestamp '2024-01-01' + (g % 700) * interval '1 day', timestamp '2024-01-15' + (g % 700) * interval '1 day',
                1 + g % 10, timestamp '2024-01-02' + (g % 700) * interval '1 day', 'Thẩm định hồ sơ', now()
           FROM generate_series(${from}, ${to}) g`,
      );
    }
    await prisma.$executeRawUnsafe(`INSERT INTO "Citizen" ("language", "updatedAt") SELECT 'vi', now() FROM generate_series(1, ${CITIZENS})`);
    await prisma.$executeRawUnsafe(
      `INSERT INTO "DossierLink" ("citizenId", "dossierId", "verifiedBy", "consentAt")
       SELECT c."id", (SELECT min(id) FROM "Dossier") + ((c."id" * 7919) % ${N}), 'staff', now() FROM "Citizen" c`,
    );
    await prisma.$executeRawUnsafe(`ANALYZE`);
    const links = await prisma.dossierLink.findMany({ select: { citizenId: true, dossierId: true } });
    console.log(`${fmt(N)} dossiers and ${links.length} links seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s (${db.kind === "server" ? "PostgreSQL" : "PGlite"}); ${SAMPLES} lookups each, interleaved`);

    const hasher = new IdentityHasher("bench-pepper-0123456789");
    let store = new PrismaConversationStore(prisma, hasher);
    // The floor: a plain driver connection to the same database.
    let raw: (citizenId: number, dossierId: number) => Promise<unknown>;
    let closeRaw = async () => {};
    if (bench.target.url) {
      const client = new pg.Client({ connectionString: bench.target.url });
      await client.connect();
      raw = async (c, d) => (await client.query({ name: "status-lookup", text: RAW, values: [c, d] })).rows[0];
      closeRaw = () => client.end();
    } else {
      await db.close();
      // PGlite: one process owns the folder; open it directly for both paths.
      const { PGlite } = await import("@electric-sql/pglite");
      const { PrismaPGlite } = await import("pglite-prisma-adapter");
      const { PrismaClient } = await import("../src/generated/prisma/client.ts");
      const lite = await PGlite.create(`${bench.target.dataDir}/pgdata`);
      const p2 = new PrismaClient({ adapter: new PrismaPGlite(lite) });
      // As openDatabase does: the hot statements go to PGlite directly (src/db/sql.ts).
      const { bindSql, pgliteSql } = await import("../src/db/sql.ts");
      bindSql(p2, pgliteSql(lite));
      store = new PrismaConversationStore(p2, hasher);
      raw = async (c, d) => (await lite.query(RAW, [c, d])).rows[0];
      closeRaw = async () => {
        await p2.$disconnect();
        await lite.close();
      };
    }
    const ours: number[] = [];
    const floor: number[] = [];
    const pick = (i: number) => links[(i * 104729) % links.length]!;
    for (let i = 0; i < 200; i++) {
      const l = pick(i);
      await store.citizenDossier(l.citizenId, l.dossierId);
      await raw(l.citizenId, l.dossierId);
    }
    for (let i = 0; i < SAMPLES; i++) {
      const l = pick(i + 1000);
      let t = performance.now();
      const card = await store.citizenDossier(l.citizenId, l.dossierId);
      ours.push(performance.now() - t);
      t = performance.now();
      const row = await raw(l.citizenId, l.dossierId);
      floor.push(performance.now() - t);
      if (!card || !row) throw new Error(`lookup of ${l.dossierId} found nothing`);
    }
    await closeRaw();
    const o99 = percentile(ours, 99);
    const f99 = percentile(floor, 99);
    console.log(`ours  (store.citizenDossier): p50 ${percentile(ours, 50).toFixed(2)} ms, p99 ${o99.toFixed(2)} ms`);
    console.log(`floor (raw SQL, same row):    p50 ${percentile(floor, 50).toFixed(2)} ms, p99 ${f99.toFixed(2)} ms`);
    const ratio = ratioOf(o99, f99);
    console.log(`p99 ours/floor = ${ratio?.toFixed(2)}× (target ≤ 2×, and < 5 ms)`);
    const file = writeResults("status-lookup", kind, [
      {
        path: `status lookup of a linked dossier, ${fmt(N)} dossiers (p99)`,
        db: kind,
        floor: "raw SQL of the same row on a plain driver connection",
        floorValue: Math.round(f99 * 100) / 100,
        ours: Math.round(o99 * 100) / 100,
        unit: "ms",
        // floor ÷ ours for times, so that ≥ 0.5 means "within 2× the floor".
        ratio: ratioOf(f99, o99),
        target: "p99 < 5 ms and ≤ 2× floor (ratio ≥ 0.5)",
        met: o99 < 5 && o99 <= 2 * f99,
      },
    ]);
    console.log(`results: ${file}`);
  } finally {
    await db.close().catch(() => {});
    await bench.cleanup();
  }
}

await main();
