// The hot statements (a webhook's inbox row, the account touch, the status card's read, its
// audit row) go to the driver directly: one parameterised statement through Prisma 7's
// runtime costs ≈0.3 ms of CPU (query compile, interpreter, result mapping) on top of the
// driver — measured as 16% of the webhook path's CPU (bench/webhook.ts, docs/benchmarks.md).
// Everything else keeps using Prisma.
//
// One carrier per database, with the same results whatever carries them: `timestamp` columns
// (Prisma's DateTime, stored as UTC) come back as Dates read as UTC, int8 as bigint, json and
// jsonb parsed; Date parameters are sent as UTC instants and bigint parameters as text.
import { createHash } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { executeMessage, prepareMessage, readResponse, type WireError, type WireField, type WireResponse } from "./pg-wire.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface Sql {
  /** The rows of one parameterised statement ($1, $2 …). */
  rows<T>(text: string, values?: readonly unknown[]): Promise<T[]>;
}

const TIMESTAMP = 1114;
const INT8 = 20;

const utcTimestamp = (s: string): Date => new Date(s.replace(" ", "T") + "Z");
const bigint = (s: string): bigint => BigInt(s);

function param(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(param);
  return v;
}

/** Over the server's pool (shared with Prisma's adapter: one pool per process). */
export function poolSql(pool: pg.Pool): Sql {
  // Named statements: each connection parses and plans a hot statement once, not per call
  // (the account touch's plan alone is most of its server time).
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let n = names.get(text);
    if (!n) names.set(text, (n = statementName(text)));
    return n;
  };
  const types = {
    getTypeParser(oid: number, format?: "text" | "binary"): (s: string) => unknown {
      if (oid === TIMESTAMP) return utcTimestamp;
      if (oid === INT8) return bigint;
      return pg.types.getTypeParser(oid, format ?? "text") as (s: string) => unknown;
    },
  };
  return {
    async rows<T>(text: string, values: readonly unknown[] = []): Promise<T[]> {
      const config = { name: nameOf(text), text, values: values.map(param), types } as pg.QueryConfig;
      for (let attempt = 0; ; attempt++) {
        const client = await pool.connect();
        try {
          const r = await client.query(config);
          client.release();
          return r.rows as T[];
        } catch (err) {
          // The session forgot its prepared statements (DISCARD ALL, a pooler's reset) while
          // the client still counts them as prepared: drop that connection, go again on another.
          const forgotten = (err as { code?: string }).code === "26000";
          client.release(forgotten ? (err as Error) : undefined);
          if (!forgotten || attempt > 0) throw err;
        }
      }
    },
  };
}

/**
 * Over the embedded database, with named statements as on the server: PGlite's own query()
 * parses, plans and describes every call in six calls into the WASM module; here a hot
 * statement is prepared and described once, and each call is one Bind + Execute + Sync whose
 * answer is read straight from the bytes (pg-wire.ts). Runs under the same two locks as
 * PGlite's query() (never inside another caller's transaction).
 */
export function pgliteSql(db: PGlite): Sql {
  // PGlite's parsers (318 types: arrays, json, numbers …) with ours on top, merged once.
  const parsers: Record<number, (text: string, typeId: number) => unknown> = { ...db.parsers, [TIMESTAMP]: utcTimestamp, [INT8]: bigint };
  interface Prepared {
    name: string;
    paramTypes: number[];
    fields: WireField[];
    parse: (((text: string, typeId: number) => unknown) | undefined)[];
  }
  const prepared = new Map<string, Prepared>();
  // The protocol's error class comes with PGlite's module, loaded only where PGlite is used.
  let mod: typeof import("@electric-sql/pglite") | undefined;

  async function exchange(message: Uint8Array): Promise<WireResponse> {
    const chunks: Uint8Array[] = [];
    // The chunk is a view of the database's memory: copied before the next call reuses it.
    await db.execProtocolRawStream(message, { syncToFs: false, onRawData: (chunk) => void chunks.push(chunk.slice()) });
    const r = readResponse(chunks.length === 1 ? chunks[0]! : concat(chunks));
    if (r.error) throw await databaseError(r.error, message.length);
    return r;
  }

  async function databaseError(e: WireError, length: number): Promise<Error> {
    const { protocol } = (mod ??= await import("@electric-sql/pglite"));
    const f = e.fields;
    // The fields PGlite's reader sets (and classifyError reads: severity, code).
    return Object.assign(new protocol.messages.DatabaseError(e.message, length, "error"), {
      severity: f.S, code: f.C, detail: f.D, hint: f.H, position: f.P, internalPosition: f.p, internalQuery: f.q, where: f.W,
      schema: f.s, table: f.t, column: f.c, dataType: f.d, constraint: f.n, file: f.F, line: f.L, routine: f.R,
    });
  }

  async function prepare(text: string): Promise<Prepared> {
    const name = statementName(text);
    const r = await exchange(prepareMessage(name, text));
    const fields = r.fields ?? [];
    const p = { name, paramTypes: r.paramTypes ?? [], fields, parse: fields.map((f) => parsers[f.typeId]) };
    prepared.set(text, p);
    return p;
  }

  async function run<T>(text: string, values: readonly unknown[]): Promise<T[]> {
    const p = prepared.get(text) ?? (await prepare(text));
    const vals = values.map((v, i) => {
      if (v === null || v === undefined) return null;
      const serialize = db.serializers[p.paramTypes[i]!];
      const x = param(v);
      return serialize ? (serialize(x) as string) : String(x);
    });
    const r = await exchange(executeMessage(p.name, vals));
    const { fields, parse } = p;
    return r.rows.map((values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const v = values[i];
        const f = parse[i];
        row[fields[i]!.name] = v === null || v === undefined ? null : f ? f(v, fields[i]!.typeId) : v;
      }
      return row as T;
    });
  }

  return {
    async rows<T>(text: string, values: readonly unknown[] = []): Promise<T[]> {
      return db._runExclusiveTransaction(() =>
        db._runExclusiveQuery(async () => {
          let rows: T[];
          try {
            rows = await run<T>(text, values);
          } catch (err) {
            // DISCARD ALL (a pooled test database) or a restore dropped the statement: prepare again.
            if ((err as { code?: string }).code !== "26000") throw err;
            prepared.clear();
            rows = await run<T>(text, values);
          }
          await db.syncToFs();
          return rows;
        }),
      );
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function statementName(text: string): string {
  return `hot_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
}

/** Through Prisma's raw query: for a client that was built without a registered carrier. */
export function prismaSql(prisma: PrismaClient): Sql {
  return {
    rows<T>(text: string, values: readonly unknown[] = []): Promise<T[]> {
      return prisma.$queryRawUnsafe<T[]>(text, ...values);
    },
  };
}

const carriers = new WeakMap<PrismaClient, Sql>();

/** Registers the direct carrier of the database a Prisma client talks to (openDatabase does). */
export function bindSql(prisma: PrismaClient, sql: Sql): void {
  carriers.set(prisma, sql);
}

/** The direct carrier of this client's database, or Prisma's raw query when none is registered. */
export function sqlOf(prisma: PrismaClient): Sql {
  let s = carriers.get(prisma);
  if (!s) carriers.set(prisma, (s = prismaSql(prisma)));
  return s;
}
