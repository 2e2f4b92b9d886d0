// Backup and restore for both databases through one logical format: every table of the
// schema, rows as PostgreSQL's own JSON of the row (row_to_json), written in foreign-key
// order with the list of applied migrations, gzip-compressed. Restore loads the rows back
// with json_populate_recordset — the database converts every type (timestamps, enums,
// arrays, jsonb, bigint) itself — into a migrated, empty database of the same schema, then
// moves every id sequence past the restored rows. One format means a backup of the embedded
// database restores into a PostgreSQL server and back.
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { Readable } from "node:stream";
import type { PrismaClient } from "../generated/prisma/client.ts";

export const BACKUP_FORMAT = "dossier-bot-backup";
const VERSION = 1;
const BATCH = 1000;

interface TableInfo {
  name: string;
  primaryKey: string[];
  /** Columns filled from a sequence (serial / identity). */
  sequenced: string[];
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

/**
 * Tables that are derived data, not backed up: the satisfaction index aggregates, which the
 * triggers recount as the restored rows go in (docs/satisfaction.md "Aggregates").
 */
export const DERIVED_TABLES: readonly string[] = ["RatingDaily", "InvitationDaily", "DossierDaily"];

/** The application's tables in an order where every foreign key points to an earlier one. */
export async function tablesInOrder(prisma: PrismaClient): Promise<TableInfo[]> {
  const tables = (
    await prisma.$queryRawUnsafe<{ name: string }[]>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> '_prisma_migrations' ORDER BY c.relname`,
    )
  ).filter((t) => !DERIVED_TABLES.includes(t.name));
  const deps = await prisma.$queryRawUnsafe<{ child: string; parent: string }[]>(
    `SELECT cl.relname AS child, pa.relname AS parent FROM pg_constraint k
     JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = cl.relnamespace
     WHERE k.contype = 'f' AND n.nspname = current_schema()`,
  );
  const keys = await prisma.$queryRawUnsafe<{ name: string; col: string; pos: number }[]>(
    `SELECT cl.relname AS name, a.attname AS col, array_position(k.conkey, a.attnum) AS pos FROM pg_constraint k
     JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
     JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = ANY (k.conkey)
     WHERE k.contype = 'p' AND n.nspname = current_schema() ORDER BY 1, 3`,
  );
  const seqs = await prisma.$queryRawUnsafe<{ name: string; col: string }[]>(
    `SELECT table_name AS name, column_name AS col FROM information_schema.columns
     WHERE table_schema = current_schema() AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')`,
  );
  const names = tables.map((t) => t.name);
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (ordered.includes(t) || visiting.has(t)) return;
    visiting.add(t);
    for (const d of deps) if (d.child === t && d.parent !== t) visit(d.parent);
    visiting.delete(t);
    ordered.push(t);
  };
  for (const t of names) visit(t);
  return ordered.map((name) => ({
    name,
    primaryKey: keys.filter((k) => k.name === name).map((k) => k.col),
    sequenced: seqs.filter((s) => s.name === name).map((s) => s.col),
  }));
}

async function appliedMigrations(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.$queryRawUnsafe<{ name: string }[]>(`SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`);
  return rows.map((r) => r.name);
}

/** Every row of a table as JSON text, in primary-key order, in batches (keyset: memory stays flat). */
async function* rowsOf(prisma: PrismaClient, t: TableInfo): AsyncGenerator<string[]> {
  const pk = t.primaryKey.length ? t.primaryKey : ["ctid"];
  const order = pk.map(q).join(", ");
  let last: unknown[] | null = null;
  for (;;) {
    const where = last ? `WHERE (${order}) > (${last.map((_, k) => `$${k + 1}`).join(", ")})` : "";
    const rows = await prisma.$queryRawUnsafe<{ j: string; k: unknown[] }[]>(
      `SELECT row_to_json(t)::text AS j, json_build_array(${pk.map((c) => `t.${q(c)}`).join(", ")})::text AS k FROM ${q(t.name)} t ${where} ORDER BY ${order} LIMIT ${BATCH}`,
      ...(last ?? []),
    );
    if (rows.length === 0) return;
    yield rows.map((r) => r.j);
    last = JSON.parse(rows[rows.length - 1]!.k as unknown as string) as unknown[];
    if (rows.length < BATCH) return;
  }
}

export interface BackupSummary {
  tables: number;
  rows: number;
  migrations: number;
}

/** Writes a backup of the whole database to `file` (gzip, JSON lines). */
export async function backupDatabase(prisma: PrismaClient, file: string): Promise<BackupSummary> {
  const tables = await tablesInOrder(prisma);
  const migrations = await appliedMigrations(prisma);
  let rows = 0;
  async function* lines(): AsyncGenerator<string> {
    yield JSON.stringify({ format: BACKUP_FORMAT, version: VERSION, createdAt: new Date().toISOString(), migrations, tables: tables.map((t) => t.name) }) + "\n";
    for (const t of tables) {
      yield JSON.stringify({ table: t.name }) + "\n";
      for await (const batch of rowsOf(prisma, t)) {
        rows += batch.length;
        yield batch.join("\n") + "\n";
      }
    }
    yield JSON.stringify({ end: true, rows }) + "\n";
  }
  await pipeline(Readable.from(lines()), createGzip(), createWriteStream(file));
  return { tables: tables.length, rows, migrations: migrations.length };
}

export class BackupError extends Error {}

/**
 * Restores `file` into this database. The database must be migrated to the same migrations
 * and be empty (or `replace`: every table emptied first, in one transaction with the load).
 */
export async function restoreDatabase(prisma: PrismaClient, file: string, opts: { replace?: boolean } = {}): Promise<BackupSummary> {
  const input = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  let header: { format?: string; version?: number; migrations?: string[]; tables?: string[] };
  try {
    header = JSON.parse(first.done ? "{}" : first.value) as typeof header;
  } catch {
    throw new BackupError(`${file} is not a backup made by this service`);
  }
  if (header.format !== BACKUP_FORMAT || header.version !== VERSION) throw new BackupError(`${file} is not a backup made by this service (format ${header.format ?? "?"})`);
  const here = await appliedMigrations(prisma);
  if (JSON.stringify(here) !== JSON.stringify(header.migrations ?? [])) {
    throw new BackupError(`The backup was made at another schema version (${header.migrations?.length ?? 0} migrations, this database has ${here.length}): start this version of the service once against an empty database, or use the matching release`);
  }
  const tables = await tablesInOrder(prisma);
  const known = new Set(tables.map((t) => t.name));
  for (const t of header.tables ?? []) if (!known.has(t)) throw new BackupError(`The backup has a table this database does not have: ${t}`);

  let rows = 0;
  await prisma.$transaction(
    async (tx) => {
      const counts = await Promise.all(tables.map(async (t) => Number((await tx.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${q(t.name)}`))[0]!.n)));
      if (counts.some((n) => n > 0)) {
        if (!opts.replace) throw new BackupError("The database is not empty: restore into a new database, or pass --replace to empty it first");
        await tx.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => q(t.name)).join(", ")} RESTART IDENTITY CASCADE`);
      }
      let table: string | null = null;
      let batch: string[] = [];
      const flush = async () => {
        if (!table || batch.length === 0) return;
        await tx.$executeRawUnsafe(`INSERT INTO ${q(table)} SELECT * FROM json_populate_recordset(NULL::${q(table)}, $1::json)`, `[${batch.join(",")}]`);
        rows += batch.length;
        batch = [];
      };
      let ended = false;
      for (;;) {
        const next = await it.next();
        if (next.done) break;
        const line = next.value;
        if (!line) continue;
        if (line.startsWith('{"table":')) {
          await flush();
          table = (JSON.parse(line) as { table: string }).table;
          if (!known.has(table)) throw new BackupError(`Unknown table in backup: ${table}`);
          continue;
        }
        if (line.startsWith('{"end":')) {
          await flush();
          ended = true;
          break;
        }
        batch.push(line);
        if (batch.length >= BATCH) await flush();
      }
      if (!ended) throw new BackupError(`${file} ends before its end marker: it is incomplete`);
      for (const t of tables) {
        for (const col of t.sequenced) {
          await tx.$queryRawUnsafe(
            `SELECT setval(pg_get_serial_sequence('${q(t.name).replace(/'/g, "''")}', '${col.replace(/'/g, "''")}'), COALESCE((SELECT MAX(${q(col)}) FROM ${q(t.name)}), 1), (SELECT MAX(${q(col)}) FROM ${q(t.name)}) IS NOT NULL)`,
          );
        }
      }
    },
    { timeout: 3_600_000, maxWait: 60_000 },
  );
  return { tables: tables.length, rows, migrations: here.length };
}
