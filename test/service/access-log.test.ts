// The access log and the security headers are each worked out in one cheap step per request
// (src/api/access-log.ts, src/api/security-headers.ts). What an operator and a browser see must
// be what pino-http and helmet gave: one line per request with id, method, path, status and
// duration (never headers or bodies), and exactly helmet's headers.
import { Writable } from "node:stream";
import type { AddressInfo } from "node:net";
import express from "express";
import helmet from "helmet";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { accessLog } from "../../src/api/access-log.ts";
import { fixedHeaders } from "../../src/api/security-headers.ts";

const servers: import("node:http").Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

async function serve(app: express.Express): Promise<string> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    servers.push(server);
  });
}

describe("access log", () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "info", base: undefined },
    new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        cb();
      },
    }),
  );
  const app = express();
  app.use(accessLog(logger, { ignore: (req) => req.url === "/healthz" }));
  app.get("/healthz", (_req, res) => void res.json({ ok: true }));
  app.get("/ok", (_req, res) => void res.json({ ok: true }));
  app.get("/missing", (_req, res) => void res.status(404).json({ error: "no" }));
  app.get("/boom", (_req, res) => void res.status(503).json({ error: "down" }));
  let url: Promise<string> | undefined;
  const base = () => (url ??= serve(app));
  const lineFor = async (id: string) => {
    await expect.poll(() => lines.some((l) => (l.req as { id: string }).id === id)).toBe(true);
    return lines.find((l) => (l.req as { id: string }).id === id)!;
  };

  it("writes one line per request: id, method, path without the query, status, duration; no headers", async () => {
    const res = await fetch(`${await base()}/ok?phone=0905123456`, { headers: { "x-request-id": "lb-1.a", authorization: "Bearer secret-key" } });
    expect(res.headers.get("x-request-id")).toBe("lb-1.a");
    const line = await lineFor("lb-1.a");
    expect(line).toMatchObject({ level: 30, msg: "request completed", req: { id: "lb-1.a", method: "GET", path: "/ok" }, res: { status: 200 } });
    expect(typeof line.responseTime).toBe("number");
    const text = JSON.stringify(lines);
    expect(text).not.toContain("secret-key");
    expect(text).not.toContain("0905123456");
    expect(lines.filter((l) => (l.req as { id: string }).id === "lb-1.a")).toHaveLength(1);
  });

  it("4xx at warn, 5xx at error; a malformed request id is replaced; health checks get an id but no line", async () => {
    await fetch(`${await base()}/missing`, { headers: { "x-request-id": "r-404" } });
    await fetch(`${await base()}/boom`, { headers: { "x-request-id": "r-503" } });
    expect((await lineFor("r-404")).level).toBe(40);
    expect(await lineFor("r-503")).toMatchObject({ level: 50, msg: "request errored", res: { status: 503 } });
    const bad = await fetch(`${await base()}/ok`, { headers: { "x-request-id": "<script>" } });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const health = await fetch(`${await base()}/healthz`, { headers: { "x-request-id": "hc-1" } });
    expect(health.headers.get("x-request-id")).toBe("hc-1");
    await lineFor(bad.headers.get("x-request-id")!);
    expect(lines.some((l) => (l.req as { id: string }).id === "hc-1")).toBe(false);
  });
});

describe("security headers worked out once", () => {
  const options = [
    { contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } }, strictTransportSecurity: false as const, referrerPolicy: { policy: "no-referrer" as const } },
    { strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true }, xFrameOptions: { action: "deny" as const } },
  ];
  for (const [k, opts] of options.entries()) {
    it(`are exactly helmet's own (options ${k + 1})`, async () => {
      const headersOf = async (mw: express.RequestHandler) => {
        const app = express();
        app.use(mw);
        app.get("/", (_req, res) => void res.end("x"));
        const res = await fetch(await serve(app));
        const out: Record<string, string> = {};
        res.headers.forEach((v, name) => {
          if (!["date", "connection", "keep-alive", "content-length", "transfer-encoding"].includes(name)) out[name] = v;
        });
        return out;
      };
      const direct = await headersOf(helmet(opts));
      expect(Object.keys(direct).length).toBeGreaterThan(8);
      expect(await headersOf(fixedHeaders(helmet(opts)))).toEqual(direct);
    });
  }
});
