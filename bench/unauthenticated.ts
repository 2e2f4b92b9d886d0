// Unauthenticated bulk: 200 parallel PUTs of a 1.9 MB body without an API key, against the
// service in a child process (its memory is measured alone, from /proc). Floor: the same number
// of tiny unauthenticated PUTs in the same run. Before the fix (bodies read, inflated and parsed
// before the key check) the big requests raised the server's RSS from 290 to 504 MB; now the key
// is checked first and the connection closed without reading the body.
//   npx tsx bench/unauthenticated.ts [requests=200] [bodyMB=1.9]
import { fork, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { benchDbKind, createBenchDatabase, fmt, MB, ratioOf, textTable, writeResults, type ResultRow } from "./lib.ts";

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === "--serve") {
  // The child: the service on an ephemeral port, no features, no rate limit (every request is
  // authenticated against the key table: the worst case).
  const target = JSON.parse(process.argv[3]!) as { url?: string; dataDir?: string };
  const { loadConfig } = await import("../src/app/config.ts");
  const { createLogger } = await import("../src/logger.ts");
  const { startService } = await import("../src/app/service.ts");
  const config = loadConfig({
    ...(target.url ? { DATABASE_URL: target.url } : { DATA_DIR: target.dataDir! }),
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    DEMO_DATA: "off",
    RATE_LIMIT_AUTH_FAILURES: "0",
  });
  const svc = await startService(config, createLogger("silent"), []);
  process.send!({ url: svc.url });
  process.on("message", (m) => {
    if (m === "stop") void svc.stop().then(() => process.exit(0));
  });
} else {
  await main();
}

function rssMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

/** One PUT without a key; resolves with the status (or 0 when the connection failed before an answer). */
function put(url: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const u = new URL(url + "/api/v1/dossiers/000.00.15.H32-230112-0001");
    let done = false;
    const finish = (s: number) => {
      if (!done) {
        done = true;
        resolve(s);
      }
    };
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: "PUT", agent: false, headers: { "content-type": "application/json", "content-length": String(body.length) } }, (res) => {
      res.resume();
      finish(res.statusCode ?? 0);
    });
    // The server answers 401 and closes without reading the rest: a write error after that is expected.
    req.on("error", () => finish(0));
    req.end(body);
  });
}

async function phase(child: ChildProcess, url: string, n: number, body: Buffer): Promise<{ ms: number; growthMb: number; statuses: Record<string, number> }> {
  if (global.gc) global.gc();
  await new Promise((r) => setTimeout(r, 500));
  const before = rssMb(child.pid!, "VmRSS");
  // VmHWM is the peak since start; reset it when the kernel allows (writing 5 to clear_refs).
  try {
    (await import("node:fs")).writeFileSync(`/proc/${child.pid}/clear_refs`, "5");
  } catch {
    /* not allowed: the peak then includes earlier phases, which only makes this phase look worse */
  }
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid!, "VmRSS"))), 20);
  const t0 = performance.now();
  const statuses = await Promise.all(Array.from({ length: n }, () => put(url, body)));
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(child.pid!, "VmHWM"), rssMb(child.pid!, "VmRSS"));
  const counted: Record<string, number> = {};
  for (const s of statuses) counted[s] = (counted[s] ?? 0) + 1;
  return { ms, growthMb: peak - before, statuses: counted };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200);
  const bodyMb = Number(process.argv[3] ?? 1.9);
  const db = benchDbKind();
  const bench = await createBenchDatabase("unauthenticated");
  const child = fork(SELF, ["--serve", JSON.stringify(bench.target)], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    const { url } = await new Promise<{ url: string }>((resolve, reject) => {
      child.once("message", (m) => resolve(m as { url: string }));
      child.once("exit", (code) => reject(new Error(`service exited with ${code}`)));
    });
    console.log(`unauthenticated bulk on ${bench.label}: ${n} parallel PUTs without a key, ${bodyMb} MB bodies vs tiny ones (server RSS from /proc of the child)`);
    const big = Buffer.alloc(Math.round(bodyMb * MB), 0x20);
    big.write('{"a":"', 0);
    big.write('"}', big.length - 2);
    // Warm-up, then the floor, then ours.
    await phase(child, url, 20, Buffer.from("{}"));
    const floor = await phase(child, url, n, Buffer.from('{"unitCode":"x"}'));
    const ours = await phase(child, url, n, big);
    console.log(
      textTable(
        ["requests", "time ms", "server RSS growth MB", "answers"],
        [
          [`${n} × tiny (floor)`, fmt(floor.ms), fmt(floor.growthMb, 1), JSON.stringify(floor.statuses)],
          [`${n} × ${bodyMb} MB`, fmt(ours.ms), fmt(ours.growthMb, 1), JSON.stringify(ours.statuses)],
        ],
      ),
    );
    const GROWTH_LIMIT = 64;
    const rows: ResultRow[] = [
      {
        path: `${n} parallel unauthenticated ${bodyMb} MB PUTs: server RSS growth`,
        db,
        floor: `${n} parallel tiny unauthenticated PUTs`,
        floorValue: Math.round(floor.growthMb * 10) / 10,
        ours: Math.round(ours.growthMb * 10) / 10,
        unit: "MB",
        ratio: ratioOf(Math.max(floor.growthMb, 1), Math.max(ours.growthMb, 1)),
        target: `growth < ${GROWTH_LIMIT} MB (before the fix: +214 MB)`,
        met: ours.growthMb < GROWTH_LIMIT && (ours.statuses["401"] ?? 0) + (ours.statuses["0"] ?? 0) === n,
      },
      {
        path: `${n} parallel unauthenticated ${bodyMb} MB PUTs: time to answer all`,
        db,
        floor: `${n} parallel tiny unauthenticated PUTs`,
        floorValue: Math.round(floor.ms),
        ours: Math.round(ours.ms),
        unit: "ms",
        ratio: ratioOf(floor.ms, ours.ms),
        target: "≥ 0.1× floor (floor ÷ ours)",
        met: (ratioOf(floor.ms, ours.ms) ?? 0) >= 0.1,
      },
    ];
    console.log(`RSS growth ${fmt(ours.growthMb, 1)} MB vs floor ${fmt(floor.growthMb, 1)} MB; time ratio (floor ÷ ours) ${ratioOf(floor.ms, ours.ms)}`);
    console.log(`results: ${writeResults("unauthenticated", db, rows)}`);
  } finally {
    child.send("stop");
    await new Promise((r) => child.once("exit", r));
    await bench.cleanup();
  }
}
