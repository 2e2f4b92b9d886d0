// Compiles the service's TypeScript to plain JavaScript (`node scripts/build.mjs [outDir]`,
// default dist/), so that `npm start` runs without a TypeScript loader: under Node 20, tsx's
// loader hooks run on a thread of their own that holds ≈32 MB for the life of the process.
//
// Every file of src/, bench/ and scripts/ keeps its place under outDir (dist/src/…), so
// what a module finds next to itself through import.meta.url (translations, the corpus, the
// slip page's script) is still next to it:
//   - .ts files are transformed one by one by esbuild (types stripped, as tsx does; no type
//     check — `npm run typecheck` is that), and relative imports of ".ts" become ".js";
//   - every other file is copied as it is; src/web is copied as TypeScript, because the pages
//     are bundled from it at run time (src/api/pages/assets.ts);
//   - dist/prisma links to prisma/ (the schema and migrations, found as ../../prisma);
//   - packages resolve from the project's node_modules, which is above outDir.
// Files are written through a temporary name and renamed, so that a second `npm start`
// building at the same moment never lets a process read half a file. A build takes about a
// second; `npm start` runs it every time, so dist/ never lags the sources.
import { copyFile, mkdir, readdir, readFile, rename, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** What is compiled: the service, the benchmarks (whose child processes run the build) and the scripts they import. */
const TREES = ["src", "bench", "scripts"];
/** Copied as sources: bundled at run time. */
const VERBATIM = [path.join("src", "web")];
const SKIP = new Set([path.join("bench", "results")]);

/** Relative specifiers ending in .ts, in static imports, re-exports and import() with a literal. */
const TS_SPECIFIER = /((?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'])(\.{1,2}\/[^"'\n]*?)\.ts(["'])/g;

/** @param {string} code */
export function rewriteImports(code) {
  return code.replace(TS_SPECIFIER, "$1$2.js$3");
}

/**
 * @param {string} dir
 * @returns {AsyncGenerator<string>}
 */
async function* walk(dir, rel = "") {
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) yield* walk(dir, r);
    else if (e.isFile()) yield r;
  }
}

/**
 * Writes `file` through a temporary name of its own (unique per call, so that two builds at
 * once, in one process or two, never share one) and renames it into place.
 * @param {string} file
 * @param {(tmp: string) => Promise<void>} write
 */
async function replaceAtomically(file, write) {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await write(tmp);
  await rename(tmp, file);
}

/**
 * Builds into `outDir` (absolute, or relative to the project); returns how many files it wrote.
 * @returns {Promise<number>}
 */
export async function build(outDir = path.join(ROOT, "dist")) {
  const out = path.resolve(ROOT, outDir);
  if (path.relative(ROOT, out).startsWith("..")) throw new Error("the build must stay inside the project (packages resolve from its node_modules)");
  const jobs = [];
  for (const tree of TREES) {
    for await (const file of walk(ROOT, tree)) {
      if ([...SKIP].some((s) => file.startsWith(s + path.sep))) continue;
      const from = path.join(ROOT, file);
      const verbatim = VERBATIM.some((v) => file.startsWith(v + path.sep));
      if (file.endsWith(".ts") && !file.endsWith(".d.ts") && !verbatim) {
        jobs.push(
          readFile(from, "utf8")
            .then((source) => transform(source, { loader: "ts", format: "esm", target: "node20", sourcefile: file, supported: { "top-level-await": true, "import-attributes": true } }))
            .then((r) => replaceAtomically(path.join(out, file.slice(0, -3) + ".js"), (tmp) => writeFile(tmp, rewriteImports(r.code)))),
        );
      } else {
        jobs.push(replaceAtomically(path.join(out, file), (tmp) => copyFile(from, tmp)));
      }
    }
  }
  await Promise.all(jobs);
  // Made once and then left alone (it never changes): a running process may be reading through it.
  await symlink(path.relative(out, path.join(ROOT, "prisma")), path.join(out, "prisma")).catch((err) => {
    if (err.code !== "EEXIST") throw err;
  });
  return jobs.length;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const n = await build(process.argv[2]);
  console.error(`build: ${n} files into ${path.relative(process.cwd(), path.resolve(ROOT, process.argv[2] ?? "dist")) || "."} in ${Math.round(performance.now() - t0)} ms`);
}
