// One-off statements on a PostgreSQL server outside any pool (creating and dropping databases
// for tests and benchmarks, reading its version): a connection of their own, closed after.
import pg from "pg";

export async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The same server URL naming another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = "/" + name;
  return u.toString();
}
