import { defineConfig } from "vitest/config";

// Every suite runs on the embedded database; with TEST_DATABASE_URL set, the suites that
// touch a database run a second time against that PostgreSQL server (fresh database each).
const server = process.env.TEST_DATABASE_URL;

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "embedded", include: ["test/**/*.test.ts"], env: { TEST_DB: "embedded" } } },
      ...(server
        ? [
            {
              extends: true as const,
              test: { name: "postgres", include: ["test/**/*.test.ts"], exclude: ["test/core/**"], env: { TEST_DB: "postgres" } },
            },
          ]
        : []),
    ],
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
