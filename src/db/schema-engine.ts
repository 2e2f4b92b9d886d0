// Loads Prisma's schema engine compiled to WebAssembly, so migrations can be applied and
// created without the native engine binary (which is downloaded from a host this network
// cannot reach; see README "Database").
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";

let loaded: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(
      path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")),
      "schema_engine_bg.wasm",
    );
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports,
    });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return loaded;
}

export const SCHEMA_PATH = path.resolve(import.meta.dirname, "../../prisma/schema.prisma");
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

export type MigrationList = bg.MigrationList;

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationList> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    entries.map(async (name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: await readFile(path.join(dir, name, "migration.sql"), "utf8") },
      },
    })),
  );
  let lockContent: string | null = null;
  try {
    lockContent = await readFile(path.join(dir, "migration_lock.toml"), "utf8");
  } catch {
    lockContent = null;
  }
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/**
 * Migration scripts run whole, by the database's own parser:
 *  - pglite-prisma-adapter 0.7.2 does not await `executeScript`, so a failing migration would
 *    report success: scripts go through `exec` on a connection we await ourselves;
 *  - @prisma/adapter-pg 7.10 splits a script on every ";", which cuts a function body
 *    (`$$ … ; … $$`) in pieces: scripts go to its pg pool as one simple-protocol query
 *    (PostgreSQL runs the statements in order, as one implicit transaction).
 */
export function withAwaitedScripts(
  factory: SqlMigrationAwareDriverAdapterFactory,
  exec?: (sql: string) => Promise<unknown>,
): SqlMigrationAwareDriverAdapterFactory {
  const wrap = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const pool = (adapter as unknown as { client?: { query?: (sql: string) => Promise<unknown> } }).client;
    const run = exec ?? (typeof pool?.query === "function" ? (sql: string) => pool.query!(sql) : undefined);
    if (!run) return adapter;
    return new Proxy(adapter, {
      get(target, prop, receiver) {
        if (prop === "executeScript") return async (sql: string) => void (await run(sql));
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => factory.connectToShadowDb(),
  };
}

export async function openSchemaEngine(
  factory: SqlMigrationAwareDriverAdapterFactory,
  schema?: string,
): Promise<bg.SchemaEngine> {
  await loadWasm();
  const datamodel = schema ?? (await readFile(SCHEMA_PATH, "utf8"));
  const logs: string[] = [];
  return bg.SchemaEngine.new(
    { datamodels: [["schema.prisma", datamodel]] },
    (msg: string) => void logs.push(msg),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
}

export const NO_FILTERS: bg.SchemaFilter = { externalTables: [], externalEnums: [] };
