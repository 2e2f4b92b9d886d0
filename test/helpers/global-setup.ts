// Leaves no test database behind on the server. Database names carry the pid of the vitest
// run that made them, so a crashed run's leftovers are dropped by the next run while a
// concurrent run's databases are left alone.
import { adminQuery, DB_PREFIX } from "./db.ts";

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
    if (filter(owner)) await adminQuery(url, `DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
  }
}

export async function setup(): Promise<void> {
  process.env.TEST_RUN_PID = String(process.pid);
  await drop((owner) => !alive(owner));
}

export async function teardown(): Promise<void> {
  await drop((owner) => owner === process.pid);
}
