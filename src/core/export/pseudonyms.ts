// Keeps each dossier's export pseudonym in its row (Dossier.applicantPseudonym), so that an
// export reads it instead of computing an HMAC per row (1M rows: ≈3.5 s of the exporting
// process's CPU). The pepper stays in the process: rows without one are read in batches,
// hashed here and written back — unless their basis changed meanwhile (the UPDATE checks it;
// a trigger clears a pseudonym whose basis a later write changes).
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { sqlOf } from "../../db/sql.ts";
import type { IdentityHasher } from "../identity.ts";
import { PSEUDONYM_BASIS_SQL, pseudonymOf } from "./feedback-rows.ts";

export interface FillResult {
  filled: number;
}

/** Fills missing pseudonyms, `batch` rows per statement, at most `limit` rows in this call. */
export async function fillPseudonyms(prisma: PrismaClient, hasher: IdentityHasher, opts: { batch?: number; limit?: number } = {}): Promise<FillResult> {
  const batch = opts.batch ?? 5_000;
  const limit = opts.limit ?? 200_000;
  const sql = sqlOf(prisma);
  let filled = 0;
  let afterId = 0;
  while (filled < limit) {
    const rows = await sql.rows<{ id: number; basis: string }>(
      `SELECT d."id", ${PSEUDONYM_BASIS_SQL} AS basis FROM "Dossier" d
        WHERE d."applicantPseudonym" IS NULL AND d."id" > $1 ORDER BY d."id" LIMIT $2`,
      [afterId, batch],
    );
    if (!rows.length) break;
    const done = await sql.rows<{ n: number }>(
      `WITH v AS (SELECT * FROM unnest($1::int[], $2::text[], $3::text[]) AS v(id, basis, p)),
       u AS (UPDATE "Dossier" d SET "applicantPseudonym" = v.p FROM v
              WHERE d."id" = v.id AND d."applicantPseudonym" IS NULL AND ${PSEUDONYM_BASIS_SQL} = v.basis RETURNING 1)
       SELECT count(*)::int AS n FROM u`,
      [rows.map((r) => r.id), rows.map((r) => r.basis), rows.map((r) => pseudonymOf(hasher, r.basis))],
    );
    filled += done[0]?.n ?? 0;
    afterId = rows[rows.length - 1]!.id;
    if (rows.length < batch) break;
  }
  return { filled };
}
