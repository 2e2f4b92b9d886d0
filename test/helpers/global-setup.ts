// Once per `npm test`: migrated templates that every test database starts from, instead of
// migrating a database per test file — a PGlite data-folder dump (written to a temp file the
// workers load) and, with TEST_DATABASE_URL, a template database on the server (copied with
// CREATE DATABASE … TEMPLATE). And no test database left behind: names carry the pid of the
// vitest run that made them, so a crashed run's leftovers are dropped by the next run while
// a concurrent run's databases are left alone.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminQuery, DB_PREFIX, withDatabase } from "./db.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function drop(filter: (owner: number) => boolean): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const { rows } = await adminQuery(url, `SELECT datname FROM pg_database WHERE datname LIKE '${DB_PREFIX}%'`);
  for (const r of rows as { datname: string }[]) {
    const owner = Number(r.datname.slice(DB_PREFIX.length).split("_")[0]);
    if (filter(owner)) {
      await adminQuery(url, `ALTER DATABASE "${r.datname}" IS_TEMPLATE false`).catch(() => {});
      await adminQuery(url, `DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    }
  }
}

let tempDir: string | undefined;

// Each vitest project runs the global setup (each with its own copy of this module): the
// templates are made once for all of them, marked in the process environment.
export async function setup(): Promise<void> {
  if (process.env.TEST_TEMPLATES_BY === String(process.pid)) return;
  process.env.TEST_TEMPLATES_BY = String(process.pid);
  process.env.TEST_RUN_PID = String(process.pid);
  await drop((owner) => !alive(owner));

  tempDir = mkdtempSync(join(tmpdir(), "dossier-bot-test-"));
  const file = join(tempDir, "migrated.pgdata.tar");
  const url = process.env.TEST_DATABASE_URL;
  const name = `${DB_PREFIX}${process.pid}_template`;
  if (url) await adminQuery(url, `CREATE DATABASE "${name}"`);
  // In a child process: the schema engine's WebAssembly glue must be loaded by Node itself.
  execFileSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "make-templates.ts"), file, ...(url ? [withDatabase(url, name)] : [])], { stdio: "inherit" });
  process.env.TEST_PGLITE_TEMPLATE = file;
  if (url) process.env.TEST_PG_TEMPLATE = name;
}

export async function teardown(): Promise<void> {
  if (!tempDir) return;
  await drop((owner) => owner === process.pid);
  rmSync(tempDir, { recursive: true, force: true });
}
