import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { defineConfig } from "vitest/config";

// Every suite runs on the embedded database; with TEST_DATABASE_URL set, the suites that touch
// a database run a second time against that PostgreSQL server (fresh database each). Which
// suites touch one is read from the imports: a test file that reaches test/helpers/db.ts
// (directly or through a harness) needs a database; the others (pure logic, the conversation
// over the in-memory store) run once.
const server = process.env.TEST_DATABASE_URL;

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? testFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const memo = new Map<string, boolean>();
function reachesDatabase(file: string, seen = new Set<string>()): boolean {
  const known = memo.get(file);
  if (known !== undefined) return known;
  if (seen.has(file)) return false;
  seen.add(file);
  if (file.endsWith(join("helpers", "db.ts"))) return true;
  let source = "";
  try {
    source = readFileSync(file, "utf8");
  } catch {
    return false;
  }
  const imports = [...source.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)].map((m) => normalize(join(dirname(file), m[1]!)));
  const result = imports.filter((i) => i.startsWith("test")).some((i) => reachesDatabase(i, seen));
  memo.set(file, result);
  return result;
}

const databaseSuites = testFiles("test").filter((f) => f.endsWith(".test.ts") && reachesDatabase(f));

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Test files share their worker process (modules are loaded once per worker, not per file):
    // every file makes its own database and context, and nothing in src keeps per-database state
    // in a module. Three workers on two cores: much of a test's time is waiting (timers, child
    // processes, the PostgreSQL server), so a third worker fills it.
    isolate: false,
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: "embedded", include: ["test/**/*.test.ts"], env: { TEST_DB: "embedded" } } },
      ...(server
        ? [
            {
              extends: true as const,
              test: { name: "postgres", include: databaseSuites, env: { TEST_DB: "postgres" } },
            },
          ]
        : []),
    ],
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
