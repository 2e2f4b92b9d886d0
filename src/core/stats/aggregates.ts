// The satisfaction index aggregates (RatingDaily, InvitationDaily, DossierDaily) are kept
// exact by triggers (migration 20261202030214_satisfaction_aggregates). This module checks
// them against a recomputation from the raw rows and rebuilds them — after a bulk load with
// triggers disabled, or if a check ever finds a difference. `npm run cli -- stats aggregates`.
import type { PrismaClient } from "../../generated/prisma/client.ts";

export const AGGREGATE_TABLES = [
  { table: "RatingDaily", expected: "agg_rating_expected", keys: ["unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons"] },
  { table: "InvitationDaily", expected: "agg_invitation_expected", keys: ["unitId", "procedureId", "day", "channel"] },
  { table: "DossierDaily", expected: "agg_dossier_expected", keys: ["unitId", "procedureId", "day", "finished", "overdue", "dissatisfied"] },
] as const;

export interface AggregateDifference {
  table: string;
  key: Record<string, unknown>;
  stored: number;
  expected: number;
}

export interface AggregateCheck {
  ok: boolean;
  /** Stored rows per table (including rows whose count went back to 0). */
  rows: Record<string, number>;
  /** The first differences found (at most `limit` per table). */
  differences: AggregateDifference[];
}

/** Compares every stored count with a recomputation from the raw rows, in one snapshot. */
export async function verifyAggregates(prisma: PrismaClient, limit = 20): Promise<AggregateCheck> {
  return prisma.$transaction(
    async (tx) => {
      const differences: AggregateDifference[] = [];
      const rows: Record<string, number> = {};
      for (const t of AGGREGATE_TABLES) {
        const cols = t.keys.map((k) => `"${k}"`).join(", ");
        const stored = await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${t.table}"`);
        rows[t.table] = stored[0]?.n ?? 0;
        // Zero rows are allowed to linger (a key whose last response went away).
        const diff = await tx.$queryRawUnsafe<Record<string, unknown>[]>(
          `SELECT ${cols}, COALESCE(s.n, 0)::int AS stored, COALESCE(e.n, 0)::int AS expected
           FROM (SELECT * FROM "${t.table}" WHERE n <> 0) s
           FULL JOIN ${t.expected}() e USING (${cols})
           WHERE COALESCE(s.n, 0) <> COALESCE(e.n, 0)
           ORDER BY ${cols} LIMIT ${Math.max(1, Math.floor(limit))}`,
        );
        for (const d of diff) {
          const { stored: s, expected: e, ...key } = d;
          differences.push({ table: t.table, key, stored: Number(s), expected: Number(e) });
        }
      }
      return { ok: differences.length === 0, rows, differences };
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

/** Recomputes every aggregate from the raw rows (writers to the source tables wait meanwhile). */
export async function rebuildAggregates(prisma: PrismaClient): Promise<Record<string, number>> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT agg_rebuild()`);
      const rows: Record<string, number> = {};
      for (const t of AGGREGATE_TABLES) rows[t.table] = (await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${t.table}"`))[0]?.n ?? 0;
      return rows;
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}
