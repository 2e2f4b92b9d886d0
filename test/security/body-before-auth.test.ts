// Issue 10, finding 2: nothing is read, inflated or parsed before the API key is checked;
// bodies have per-route limits; a slow client is cut off.
import { request } from "node:http";
import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/core/api-keys.ts";
import { startTestService, specDossier, type TestService } from "../helpers/app.ts";

let svc: TestService;
let analystKey: string;
beforeAll(async () => {
  svc = await startTestService({ HTTP_HEADERS_TIMEOUT_MS: "600", HTTP_REQUEST_TIMEOUT_MS: "1500" });
  analystKey = (await createApiKey(svc.ctx.prisma, "analyst", "analyst", "test")).key;
});
afterAll(() => svc.close());

const CODE = "000.00.15.H32-230112-0001";

/** Sends headers and only `sent` bytes of a body announced as `length`; resolves with the status once the server answers. */
function partialUpload(path: string, headers: Record<string, string>, length: number, sent: number): Promise<{ status: number; headers: Record<string, unknown>; bodySent: number }> {
  return new Promise((resolve, reject) => {
    const u = new URL(svc.url + path);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: "PUT", headers: { ...headers, "content-type": "application/json", "content-length": String(length) } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, headers: res.headers, bodySent: sent });
    });
    req.on("error", reject);
    req.write(Buffer.alloc(sent, 0x20));
    // The rest is never sent: an answer proves the server did not wait for (or read) the body.
  });
}

describe("authentication comes before the body", () => {
  it("no key + broken JSON → 401, not 400", async () => {
    const res = await svc.api(`/api/v1/dossiers/${CODE}`, { key: null, method: "PUT", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
  });

  it("no key + a 3 MB body → 401 before the body is sent, connection closed", async () => {
    const r = await partialUpload(`/api/v1/dossiers/${CODE}`, {}, 3 * 1024 * 1024, 16 * 1024);
    expect(r.status).toBe(401);
    expect(r.headers.connection).toBe("close");
  });

  it("a wrong key + a gzipped body → 401 (nothing inflated)", async () => {
    const res = await svc.api(`/api/v1/dossiers/${CODE}`, {
      key: "dbk_wrong",
      method: "PUT",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(Buffer.from("{" + '"a":1,'.repeat(100_000) + '"b":2}')),
    });
    expect(res.status).toBe(401);
  });

  it("a key without the role + a large body → 403 before the body is sent", async () => {
    const r = await partialUpload(`/api/v1/dossiers/${CODE}`, { authorization: `Bearer ${analystKey}` }, 3 * 1024 * 1024, 16 * 1024);
    expect(r.status).toBe(403);
  });

  it("the import route (streamed) also answers 401 before its body", async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const u = new URL(svc.url + "/api/v1/dossiers/import");
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { "content-type": "text/csv", "content-length": String(5e6) } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.write("code\n");
    });
    expect(r).toBe(401);
  });
});

describe("per-route body limits", () => {
  it("a dossier PUT over 64 KB → 413 too_large, nothing stored", async () => {
    const res = await svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", json: specDossier({ currentStep: "x".repeat(70_000) }) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("too_large");
    expect(await svc.ctx.prisma.dossier.count()).toBe(0);
  });

  it("a gzipped dossier from a staff key is inflated and accepted", async () => {
    const res = await svc.api(`/api/v1/dossiers/${CODE}`, {
      method: "PUT",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(Buffer.from(JSON.stringify(specDossier()))),
    });
    expect(res.status).toBe(201);
  });
});

describe("slow clients are cut off", () => {
  it("headers dripped one byte at a time: the connection is closed after HTTP_HEADERS_TIMEOUT_MS", async () => {
    const u = new URL(svc.url);
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = connect(Number(u.port), u.hostname);
      let answer = "";
      socket.on("data", (d) => (answer += d.toString()));
      socket.on("close", () => {
        clearInterval(drip);
        expect(answer).toMatch(/^HTTP\/1.1 408|^$/);
        resolve(Date.now() - started);
      });
      socket.on("error", () => {});
      socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      const drip = setInterval(() => socket.write("X-Slow: 1\r\n"), 100);
    });
    // Cut within the timeout plus Node's checking interval, not held for minutes.
    expect(closedAfter).toBeLessThan(5_000);
  });

  it("a body dripped slowly: cut after HTTP_REQUEST_TIMEOUT_MS", async () => {
    const u = new URL(svc.url);
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = connect(Number(u.port), u.hostname);
      socket.on("close", () => {
        clearInterval(drip);
        resolve(Date.now() - started);
      });
      socket.on("error", () => {});
      socket.write(`PUT /api/v1/dossiers/${CODE} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-admin-key-0123456789\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
      const drip = setInterval(() => socket.write(" "), 100);
    });
    expect(closedAfter).toBeLessThan(6_000);
  });
});
