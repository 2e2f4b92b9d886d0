// `npm start` as a child process (scripts/build.mjs, then dist/src/app/main.js with plain node,
// as `npm start` runs it), for the start-up tests: output captured, exit code awaited,
// everything killed and removed after the file.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { build } from "../../scripts/build.mjs";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Call at the top of a test file: the children and folders it makes are cleaned up after the file. */
export function serviceProcesses(): { run(env: Record<string, string>): ServiceProcess; tempDir(): string } {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  beforeAll(() => build(), 60_000);
  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    run(env) {
      const child = spawn(process.execPath, ["dist/src/app/main.js"], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", PORT: "0", LOG_LEVEL: "warn", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      let out = "";
      child.stdout!.on("data", (b) => (out += b));
      child.stderr!.on("data", (b) => (out += b));
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      return { child, output: () => out, exited };
    },
    tempDir() {
      const d = mkdtempSync(path.join(tmpdir(), "dossier-bot-"));
      dirs.push(d);
      return d;
    },
  };
}

export async function waitFor(pred: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}
