// Issue 10: property-based fuzzing (fast-check) of every write route (src/api/routes/*.ts) and
// both webhooks, in-process against one running service: over 10,000 bad inputs — poison text
// (U+0000, controls, lone surrogates), numbers beyond their columns, impossible dates, wrong
// types, deep JSON, invalid UTF-8, broken JSON, poison path parameters. Expected: no answer
// ≥ 500, and a rejected request (4xx, or a webhook's 200 "rejected") writes no row — the row
// count of every table is the same before and after it. (Counts catch inserts and deletes, not
// in-place updates.) To keep it fast, the counts are read only when the database's next
// transaction id moved during the request, i.e. when something wrote or tried to write. A request that is accepted (2xx) is allowed: some generated inputs are
// valid; they are counted and printed.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broadcastRoutes } from "../../src/api/routes/broadcasts.ts";
import { surveyRoutes } from "../../src/api/routes/surveys.ts";
import { createTelegramWebhookRouter } from "../../src/bot/telegram/webhook.ts";
import { createZaloWebhookRouter } from "../../src/bot/zalo/webhook.ts";
import { accept } from "../../src/core/inbox.ts";
import { silentLogger } from "../../src/logger.ts";
import { FAKE_APP_ID, FAKE_WEBHOOK_SECRET, signedWebhook } from "../fakes/zalo-server.ts";
import { startTestService, specDossier, type TestService } from "../helpers/app.ts";
import { usingServer } from "../helpers/db.ts";

/**
 * FUZZ_SCALE=1 (`npm run fuzz`) generates 10,900 inputs; the regular suite runs 15% of
 * them (≈1,600) on the embedded database and 8% (≈870) in its PostgreSQL pass, to stay
 * within its time budget (the inputs are checked at the HTTP boundary before either database).
 */
const SCALE = Number(process.env.FUZZ_SCALE ?? (usingServer() ? 0.08 : 0.15));
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const TG_SECRET = "fuzz-telegram-secret";
const CODE = "000.00.15.H32-230112-0001";

let svc: TestService;
let tables: string[] = [];
let snapshot = "";
const tally = { sent: 0, accepted: 0, rejected: 0, serverErrors: 0 };
const allFailures: string[] = [];

/** The next transaction id: it moves only when a statement wrote (or tried to write). */
async function nextXid(): Promise<string> {
  return (await svc.ctx.prisma.$queryRawUnsafe<{ x: string }[]>(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`))[0]!.x;
}
let xid = "";

async function counts(): Promise<string> {
  const sql = `SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t}")`).join(" || ',' || ")} AS c`;
  return (await svc.ctx.prisma.$queryRawUnsafe<{ c: string }[]>(sql))[0]!.c;
}

interface Shot {
  method: string;
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

interface Answer {
  shot: Shot;
  status: number;
  text: string;
  rejected: boolean;
}

async function send(shot: Shot): Promise<Answer> {
  const res = await fetch(svc.url + shot.path, {
    method: shot.method,
    headers: { authorization: "Bearer test-admin-key-0123456789", "content-type": "application/json", ...shot.headers },
    ...(shot.body !== undefined ? { body: shot.body as BodyInit } : {}),
  });
  const text = await res.text();
  return { shot, status: res.status, text, rejected: res.status >= 400 || /"outcome":"rejected"/.test(text) };
}

const show = (a: Answer) => `${a.status} ${a.shot.method} ${a.shot.path} ${String(a.shot.body ?? "").slice(0, 200)} → ${a.text.slice(0, 200)}`;

/**
 * Sends the inputs in small concurrent groups. After each group: when the next transaction id
 * did not move, nothing was written. Otherwise the row counts are compared with those before the
 * group; if they changed and some request of the group was accepted, the group's rejected
 * requests are sent again one at a time to see which wrote.
 */
async function shootAll(shots: Shot[], group = 8): Promise<void> {
  const failures: string[] = [];
  for (let i = 0; i < shots.length; i += group) {
    const answers = await Promise.all(shots.slice(i, i + group).map(send));
    for (const a of answers) {
      tally.sent++;
      if (a.rejected) tally.rejected++;
      else tally.accepted++;
      if (a.status >= 500) {
        tally.serverErrors++;
        failures.push(show(a));
        allFailures.push(show(a));
      }
    }
    const x = await nextXid();
    if (x === xid) continue;
    const now = await counts();
    if (now !== snapshot) {
      if (answers.every((a) => a.rejected)) failures.push(`rows written by rejected requests: ${answers.map(show).join(" | ")}`);
      else {
        snapshot = now;
        xid = await nextXid();
        for (const r of answers.filter((a) => a.rejected)) {
          const again = await send(r.shot);
          const x2 = await nextXid();
          if (x2 === xid) continue;
          const c = await counts();
          if (c !== snapshot && again.rejected) failures.push(`rows written by a rejected request: ${show(again)}`);
          snapshot = c;
          xid = await nextXid();
        }
      }
    }
    snapshot = await counts();
    xid = await nextXid();
  }
  allFailures.push(...failures.filter((f) => !allFailures.includes(f)));
  expect(failures).toEqual([]);
}

// ---------------------------------------------------------------- generators

const poisonText = fc.oneof(
  fc.constantFrom("\u0000", "a\u0000b", "\u0007bell", "esc\u001b[31m", "\u0085", "\u007f", "\ud800", "x\udfffy", "\u0000".repeat(50)),
  fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.string({ unit: "binary", minLength: 1, maxLength: 30 }).filter((s) => /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff]/.test(s)),
);
const hugeNumber = fc.constantFrom(3_000_000_000, -3_000_000_000, 2 ** 63, -(2 ** 63), 1e308, -1e308, 9_007_199_254_740_993, 1e21, -1, 0.5, -0.0001, 2_147_483_648);
const badDate = fc.constantFrom(
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+07:00",
  "9999-12-31T23:59:59+07:00",
  "+275760-09-13T00:00:00Z",
  "2023-02-30T09:00:00+07:00",
  "2023-13-01T09:00:00+07:00",
  "2023-01-12T25:00:00+07:00",
  "2023-01-12",
  "yesterday",
  "",
);
const wrongType = fc.oneof(fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }), fc.integer(), fc.string({ maxLength: 10 }));
const badValue = fc.oneof({ weight: 4, arbitrary: poisonText }, { weight: 3, arbitrary: hugeNumber }, { weight: 2, arbitrary: badDate }, { weight: 2, arbitrary: wrongType });

/** A valid body with one field (existing, or a new key) set to a bad value; sometimes a poison key. */
function mutated(base: Record<string, unknown>): fc.Arbitrary<string> {
  const keys = Object.keys(base);
  const nested = keys.filter((k) => base[k] && typeof base[k] === "object" && !Array.isArray(base[k]) && Object.keys(base[k] as object).length);
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...keys), badValue).map(([k, v]) => JSON.stringify({ ...base, [k]: v })) },
    ...(nested.length
      ? [
          {
            weight: 2,
            arbitrary: fc.tuple(fc.constantFrom(...nested), badValue).chain(([k, v]) => {
              const inner = base[k] as Record<string, unknown>;
              return fc.constantFrom(...Object.keys(inner)).map((ik) => JSON.stringify({ ...base, [k]: { ...inner, [ik]: v } }));
            }),
          },
        ]
      : []),
    { weight: 1, arbitrary: poisonText.map((p) => JSON.stringify({ ...base, [p]: 1 })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...keys), badValue, fc.constantFrom(...keys), badValue).map(([a, x, b, y]) => JSON.stringify({ ...base, [a]: x, [b]: y })) },
  );
}

/** Bodies that are not acceptable JSON at all. */
const rawPoison: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.integer({ min: 65, max: 3000 }).map((d) => "[".repeat(d) + "]".repeat(d)),
  fc.integer({ min: 65, max: 3000 }).map((d) => '{"a":'.repeat(d) + "1" + "}".repeat(d)),
  fc.uint8Array({ minLength: 1, maxLength: 200 }),
  fc.json().map((j) => j.slice(0, Math.max(1, Math.floor(j.length / 2)))),
  fc.json().map((j) => Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(`","y":${j}}`)])),
  fc.constantFrom("", "null", "1e400", '"\\u0000"', "[", '{"a":"\\ud800"}', "\ufeff{}", "{}".repeat(1000)),
);

const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return "%ED%A0%80"; // a lone surrogate cannot be encoded: its CESU bytes, invalid UTF-8
  }
};
const poisonSegment = fc.oneof(
  poisonText.map(encode),
  fc.constantFrom("%00", "%ff", "%c3%28", "..%2f..%2fetc", "a".repeat(500), "%E2%80%AE", "99999999999999999999", "-1", "0", "1e3", "NaN"),
  fc.string({ maxLength: 30 }).map(encode),
);

// ---------------------------------------------------------------- the suite

beforeAll(async () => {
  svc = await startTestService({ RATE_LIMIT_AUTH_FAILURES: "0", RATE_LIMIT_WEBHOOK_FAILURES: "0" }, (ctx) => ({
    routeModules: [(api, c) => broadcastRoutes(api, c), surveyRoutes],
    routers: [
      createTelegramWebhookRouter({
        secret: TG_SECRET,
        logger: silentLogger,
        processor: { receive: async (u: { update_id: number }) => ((await accept(ctx.prisma, "telegram", String(u.update_id), u)).duplicate ? "duplicate" : "accepted") } as never,
      }),
      createZaloWebhookRouter({
        appId: FAKE_APP_ID,
        secret: FAKE_WEBHOOK_SECRET,
        logger: silentLogger,
        processor: { receive: async (e: { message?: { msg_id?: string } }) => ((await accept(ctx.prisma, "zalo", e.message?.msg_id ?? String(Math.random()), e)).duplicate ? "duplicate" : "accepted") } as never,
      }),
    ],
  }));
  tables = (await svc.ctx.prisma.$queryRawUnsafe<{ t: string }[]>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT IN ('_prisma_migrations', 'RateLimitCounter') ORDER BY 1`)).map((r) => r.t);
  expect((await svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", json: specDossier({ status: 4 }) })).status).toBe(201);
  snapshot = await counts();
  xid = await nextXid();
});

afterAll(async () => {
  console.log(`fuzz (seed ${SEED}): ${tally.sent} inputs (${tally.rejected} rejected, ${tally.accepted} accepted), ${tally.serverErrors} answers ≥ 500, ${allFailures.length} failures`);
  await svc?.close();
});

/** Fixed seed: a failure is reproducible (FUZZ_SEED to explore others). */
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
/** Long enough for FUZZ_SCALE=1 on a loaded machine: a test that timed out would keep sending during the next one. */
const T = { timeout: 900_000 };
const property = <T,>(arb: fc.Arbitrary<T>, toShot: (x: T) => Shot, n: number) => shootAll(fc.sample(arb, { numRuns: runs(n), seed: SEED }).map(toShot));

describe("write routes", () => {
  it("PUT /dossiers/{code}", T, () => property(mutated(specDossier()), (body) => ({ method: "PUT", path: `/api/v1/dossiers/000.00.15.H32-230112-0002`, body }), 1500));
  it("POST /dossiers/{code}/events", T, () =>
    property(mutated({ eventId: "ev-1", status: 9, at: "2023-01-20T09:00:00+07:00", note: "n", reason: "r" }), (body) => ({ method: "POST", path: `/api/v1/dossiers/${CODE}/events`, body }), 800));
  it("POST /dossiers/{code}/apology", T, () =>
    property(mutated({ reason: "Thiếu hồ sơ", newAppointmentAt: "2023-03-01T09:00:00+07:00", eventId: "ap-1" }), (body) => ({ method: "POST", path: `/api/v1/dossiers/${CODE}/apology`, body }), 400));
  it("POST /dossiers/import (JSON and CSV)", T, () =>
    property(
      fc.oneof(
        mutated({ ...specDossier(), code: "000.00.15.H32-230112-0003" }).map((row) => ({ body: `[${row}]`, type: "application/json" })),
        poisonText.map((p) => ({ body: `code,unitCode,receivedAt,status\n000.00.15.H32-230112-0004,${p},2023-01-12T09:00:00+07:00,4\n`, type: "text/csv" })),
        fc.constantFrom('code,status\n"a"b",4\n', "code\n\u0000\n", 'code,unitCode\n"unclosed,4\n').map((body) => ({ body, type: "text/csv" })),
      ),
      ({ body, type }) => ({ method: "POST", path: "/api/v1/dossiers/import", body, headers: { "content-type": type } }),
      500,
    ));
  it("PUT /units/{code}", T, () => property(mutated({ name: "UBND phường", level: "ward", parentCode: null, hotline: "0123", address: "a", openingHours: "7-17" }), (body) => ({ method: "PUT", path: "/api/v1/units/U-FUZZ", body }), 600));
  it("PUT /fields/{code}", T, () => property(mutated({ name: "Đất đai" }), (body) => ({ method: "PUT", path: "/api/v1/fields/F-FUZZ", body }), 300));
  it("PUT /procedures/{code}", T, () => property(mutated({ name: "Thủ tục", fieldCode: "DD", durationDays: 10 }), (body) => ({ method: "PUT", path: "/api/v1/procedures/P-FUZZ", body }), 500));
  it("PUT /holidays/{date}", T, () => property(mutated({ kind: "day_off", name: "Tết", source: "QĐ" }), (body) => ({ method: "PUT", path: "/api/v1/holidays/2031-01-01", body }), 300));
  it("POST /holidays/import", T, () => property(mutated({ year: 2031, daysOff: ["2031-01-01"], extraWorkingDays: [], source: "QĐ" }), (body) => ({ method: "POST", path: "/api/v1/holidays/import", body }), 400));
  it("POST /api-keys", T, () => property(mutated({ role: "staff", name: "Chị Lan" }), (body) => ({ method: "POST", path: "/api/v1/api-keys", body }), 400));
  it("POST /broadcasts", T, () =>
    property(mutated({ text: "Thông báo", audience: { unitCodes: ["000.00.15.H32"] }, channels: ["telegram"], dryRun: true }), (body) => ({ method: "POST", path: "/api/v1/broadcasts", body }), 800));
  it("POST /surveys", T, () => property(mutated({ title: { vi: "Khảo sát" }, messages: {}, questions: [] }), (body) => ({ method: "POST", path: "/api/v1/surveys", body }), 400));
  it("POST /understanding/unrecognised/{id}/label", T, () =>
    property(fc.tuple(poisonSegment, mutated({ intent: "status" })), ([id, body]) => ({ method: "POST", path: `/api/v1/understanding/unrecognised/${id}/label`, body }), 300));
  it("poison path parameters on every write route", T, () =>
    property(
      fc.tuple(
        fc.constantFrom(
          ["PUT", "/api/v1/dossiers/:p"],
          ["POST", "/api/v1/dossiers/:p/events"],
          ["POST", "/api/v1/dossiers/:p/apology"],
          ["PUT", "/api/v1/units/:p"],
          ["DELETE", "/api/v1/units/:p"],
          ["PUT", "/api/v1/fields/:p"],
          ["PUT", "/api/v1/procedures/:p"],
          ["DELETE", "/api/v1/procedures/:p"],
          ["PUT", "/api/v1/holidays/:p"],
          ["DELETE", "/api/v1/holidays/:p"],
          ["DELETE", "/api/v1/api-keys/:p"],
          ["POST", "/api/v1/broadcasts/:p/approve"],
          ["POST", "/api/v1/broadcasts/:p/cancel"],
        ),
        poisonSegment,
      ),
      ([[method, path], p]) => ({ method: method!, path: path!.replace(":p", p), body: JSON.stringify(specDossier()) }),
      900,
    ));
  it("raw poison bodies on every JSON write route", T, () =>
    property(
      fc.tuple(
        fc.constantFrom(
          ["PUT", `/api/v1/dossiers/${CODE}`],
          ["POST", `/api/v1/dossiers/${CODE}/events`],
          ["POST", `/api/v1/dossiers/${CODE}/apology`],
          ["POST", "/api/v1/dossiers/import"],
          ["PUT", "/api/v1/units/U1"],
          ["PUT", "/api/v1/fields/F1"],
          ["PUT", "/api/v1/procedures/P1"],
          ["PUT", "/api/v1/holidays/2031-01-02"],
          ["POST", "/api/v1/holidays/import"],
          ["POST", "/api/v1/api-keys"],
          ["POST", "/api/v1/broadcasts"],
          ["POST", "/api/v1/surveys"],
        ),
        rawPoison,
      ),
      ([[method, path], body]) => ({ method: method!, path: path!, body }),
      1000,
    ));
});

describe("webhooks (authentic deliveries with poison inside)", () => {
  let updateId = 1;
  it("POST /webhooks/telegram", T, () =>
    property(
      fc.oneof(
        mutated({ update_id: 0, message: { message_id: 1, date: 1, chat: { id: 1, type: "private" }, from: { id: 1, is_bot: false, first_name: "A" }, text: "hi" } }).map((b) => b.replace('"update_id":0', `"update_id":${updateId++}`)),
        rawPoison,
      ),
      (body) => ({ method: "POST", path: "/webhooks/telegram", body, headers: { "x-telegram-bot-api-secret-token": TG_SECRET } }),
      800,
    ));
  it("POST /webhooks/zalo", T, () =>
    property(
      fc.oneof(
        fc.tuple(poisonText, fc.constantFrom("text", "sender", "event_name")).map(([p, where]) => {
          const event: Record<string, unknown> = { app_id: FAKE_APP_ID, event_name: "user_send_text", timestamp: String(Date.now()), sender: { id: "8512345678901234567" }, recipient: { id: "1" }, message: { msg_id: `m${updateId++}`, text: "hi" } };
          if (where === "text") event.message = { msg_id: `m${updateId++}`, text: p };
          else if (where === "sender") event.sender = { id: p };
          else event.event_name = p;
          return signedWebhook(event);
        }),
        rawPoison.map((raw) => {
          const ts = String(Date.now());
          const text = typeof raw === "string" ? raw : Buffer.from(raw).toString("latin1");
          const body = `{"app_id":"${FAKE_APP_ID}","timestamp":"${ts}","event_name":"user_send_text","x":${text.startsWith("[") || text.startsWith("{") ? text : JSON.stringify(text)}}`;
          return signedWebhook({ app_id: FAKE_APP_ID, timestamp: ts }, { body });
        }),
      ),
      (d) => ({ method: "POST", path: "/webhooks/zalo", body: d.body, headers: d.headers }),
      800,
    ));
});

it("generated at least 10,000 inputs with no answer ≥ 500", () => {
  if (SCALE >= 1) expect(tally.sent).toBeGreaterThanOrEqual(10_000);
  expect(tally.serverErrors).toBe(0);
});
