// Run by global-setup.ts in a child process (the schema engine's WebAssembly glue must be
// loaded once, by Node itself): migrates an in-memory PGlite and writes its data dump to
// argv[2]; with argv[3] (a server URL naming a new database) migrates that database too.
import { writeFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { openDatabase } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrate.ts";
import { withAwaitedScripts } from "../../src/db/schema-engine.ts";

const [file, serverUrl] = process.argv.slice(2);
if (!file) throw new Error("usage: make-templates.ts <dump file> [server database url]");
// Both at once: PGlite's start is mostly its own CPU, the server's migration mostly waiting.
await Promise.all([
  (async () => {
    const p = await PGlite.create();
    await applyMigrations(withAwaitedScripts(new PrismaPGlite(p), (sql) => p.exec(sql)));
    const dump = await p.dumpDataDir("none");
    await p.close();
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  })(),
  (async () => {
    if (!serverUrl) return;
    const db = await openDatabase({ url: serverUrl });
    await db.close();
  })(),
]);
// Something the schema engine leaves behind keeps the event loop alive for ≈10 s after the work
// is done: the templates are written, so leave now.
process.exit(0);
