// The build `npm start` runs (scripts/build.mjs): TypeScript compiled to plain JavaScript in
// a tree beside the sources, with every file a module reads next to itself. The start-up tests
// (startup.test.ts, startup-errors.test.ts) and the scale-out test run the service from it;
// here: the import rewriting, the files that must come along, and a worker thread that must
// start without tsx.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, rewriteImports } from "../../scripts/build.mjs";
import { renderSlipQr } from "../../src/core/slip/qr.ts";
import { ROOT } from "../helpers/service-process.ts";

const run = promisify(execFile);
const out = path.join(ROOT, "dist", `.test-build-${process.pid}`);

function files(dir: string, rel = ""): string[] {
  return readdirSync(path.join(dir, rel)).flatMap((f) => {
    const r = path.join(rel, f);
    return statSync(path.join(dir, r)).isDirectory() ? files(dir, r) : [r];
  });
}

describe("scripts/build.mjs", () => {
  beforeAll(() => build(out), 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("rewrites relative .ts imports to .js and leaves everything else alone", () => {
    const code = [
      `import { a } from "./a.ts";`,
      `import b from '../b/c.ts';`,
      `export { d } from "./d.ts";`,
      `export * from "../e.ts";`,
      `import "./side.ts";`,
      `const m = await import("../db/backup.ts");`,
      `import x from "./holidays.vn.json" with { type: "json" };`,
      `import pg from "pg";`,
      `import y from "some-pkg/file.ts";`,
      `const s = "./not-an-import.ts";`,
    ].join("\n");
    expect(rewriteImports(code).split("\n")).toEqual([
      `import { a } from "./a.js";`,
      `import b from '../b/c.js';`,
      `export { d } from "./d.js";`,
      `export * from "../e.js";`,
      `import "./side.js";`,
      `const m = await import("../db/backup.js");`,
      `import x from "./holidays.vn.json" with { type: "json" };`,
      `import pg from "pg";`,
      `import y from "some-pkg/file.ts";`,
      `const s = "./not-an-import.ts";`,
    ]);
  });

  it("compiles every module and brings every other file of src/ along (translations, corpus, scripts, the pages' sources)", () => {
    const src = files(path.join(ROOT, "src"));
    const built = new Set(files(path.join(out, "src")));
    const missing = src
      .map((f) => (f.endsWith(".ts") && !f.startsWith("web" + path.sep) ? f.slice(0, -3) + ".js" : f))
      .filter((f) => !built.has(f));
    expect(missing).toEqual([]);
    // No module of the build imports a .ts file: plain node could not load it.
    const tsImports = [...built].filter((f) => f.endsWith(".js") && !f.startsWith("web" + path.sep)).filter((f) => /from\s*["']\.{1,2}\/[^"']*\.ts["']|import\(\s*["']\.{1,2}\/[^"']*\.ts["']/.test(readFileSync(path.join(out, "src", f), "utf8")));
    expect(tsImports).toEqual([]);
    expect(existsSync(path.join(out, "prisma", "schema.prisma"))).toBe(true);
  });

  it("runs with plain node: a slip photo is read by a decoding thread started from the compiled worker", async () => {
    const png = await renderSlipQr("https://hoso.example.vn/s/abc", "png");
    const script = `
      const { createSlipDecodePool } = await import(${JSON.stringify(pathToFileURL(path.join(out, "src/core/slip/decode-pool.js")).href)});
      const pool = createSlipDecodePool({ workers: 1, maxQueued: 1 });
      const r = await pool.decode(Buffer.from(process.env.PNG, "base64"));
      await pool.close();
      console.log(JSON.stringify({ r }));`;
    // A file, not `-e`: a worker thread inherits the parent's flags, and --input-type would stop it.
    const file = path.join(out, "decode-probe.mjs");
    writeFileSync(file, script);
    const { stdout } = await run(process.execPath, [file], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", PNG: png.toString("base64") }, timeout: 60_000 });
    const got = JSON.parse(stdout.trim().split("\n").pop()!) as { r: unknown };
    // The build holds no TypeScript, so the thread cannot have fallen back to tsx.
    expect(existsSync(path.join(out, "src/core/slip/photo-worker.ts"))).toBe(false);
    expect(got.r).toMatchObject({ ok: true, text: "https://hoso.example.vn/s/abc", symbol: "qr" });
  }, 90_000);
});
