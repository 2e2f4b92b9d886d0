// Set-based inserts for the demo seed: the rows go to the database as one JSON parameter and
// come out of jsonb_to_recordset, so a few hundred dossiers and their history are one
// statement per table instead of thousands of bound parameters (start-up stays fast).
import type { PrismaClient } from "../generated/prisma/client.ts";

/** Column name → SQL type as jsonb_to_recordset reads it (enums by their type name). */
export type Columns = Record<string, string>;

type Value = string | number | boolean | null | string[] | Date | Record<string, unknown>;

export async function insertRows<R extends Record<string, unknown> = Record<string, never>>(
  prisma: PrismaClient,
  table: string,
  columns: Columns,
  rows: Record<string, Value>[],
  returning: string[] = [],
): Promise<R[]> {
  if (!rows.length) return [];
  const names = Object.keys(columns);
  const quoted = names.map((n) => `"${n}"`).join(", ");
  const defs = names.map((n) => `"${n}" ${columns[n]}`).join(", ");
  const json = JSON.stringify(rows, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v));
  const sql = `INSERT INTO "${table}" (${quoted}) SELECT ${quoted} FROM jsonb_to_recordset($1::jsonb) AS x(${defs})${
    returning.length ? ` RETURNING ${returning.map((r) => `"${r}"`).join(", ")}` : ""
  }`;
  // Date.toJSON already gave ISO strings; the replacer above covers values nested in objects.
  return returning.length ? prisma.$queryRawUnsafe<R[]>(sql, json) : ((await prisma.$executeRawUnsafe(sql, json)), []);
}
