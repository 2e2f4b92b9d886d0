// The Zalo client and token store against the fake Zalo: request shapes, HTTP-200 refusals,
// -216 → refresh → retry once, bounded retries, window errors, ZNS, and token rotation that
// never spends a refresh token twice.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ZaloApiError, ZaloClient, ZaloWindowError } from "../../src/bot/zalo/client.ts";
import { parseJsonKeepingBigInts, quoteBigIntegers } from "../../src/bot/zalo/json.ts";
import { outcomeOf } from "../../src/bot/zalo/sender.ts";
import { ZaloTokenStore } from "../../src/bot/zalo/tokens.ts";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { silentLogger } from "../../src/logger.ts";
import { startFakeZalo, type FakeZalo } from "../fakes/zalo-server.ts";
import { createTestDatabase, usingServer, type TestDatabase } from "../helpers/db.ts";

const USER = "8512345678901234567";

let fake: FakeZalo;
let db: TestDatabase;
/** The pair the environment holds in the current test (fresh per test). */
let pair: { accessToken: string; refreshToken: string };

beforeAll(async () => {
  fake = await startFakeZalo();
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
  await fake?.close();
});

function store(prisma = db.prisma, over: Partial<ConstructorParameters<typeof ZaloTokenStore>[0]> = {}): ZaloTokenStore {
  return new ZaloTokenStore({
    prisma,
    logger: silentLogger,
    appId: fake.appId,
    appSecret: fake.appSecret,
    oauthBase: fake.url,
    initial: { accessToken: pair.accessToken, refreshToken: pair.refreshToken },
    ...over,
  });
}

function client(tokens: ZaloTokenStore): ZaloClient {
  return new ZaloClient({ apiBase: fake.url, znsBase: fake.url, tokens, logger: silentLogger, retry: { delaysMs: [5, 20] } });
}

describe("JSON with big integers", () => {
  it("keeps integers beyond 2^53 exact and leaves everything else alone", () => {
    const text = '{"a":8512345678901234567,"b":"8512345678901234567","c":-12345678901234567890,"d":1.5e300,"e":"say \\"99999999999999999\\"","f":[1700000000000,12]}';
    expect(parseJsonKeepingBigInts(text)).toEqual({
      a: "8512345678901234567",
      b: "8512345678901234567",
      c: "-12345678901234567890",
      d: 1.5e300,
      e: 'say "99999999999999999"',
      f: [1700000000000, 12],
    });
    expect(quoteBigIntegers('{"x":1}')).toBe('{"x":1}');
  });
});

describe("ZaloClient", () => {
  let tokens: ZaloTokenStore;
  let zalo: ZaloClient;
  beforeEach(async () => {
    await db.prisma.channelToken.deleteMany();
    await db.prisma.setting.deleteMany({ where: { key: { startsWith: "zalo." } } });
    pair = fake.authorize();
    tokens = store();
    zalo = client(tokens);
    fake.reset();
  });

  it("sends a consultation message with the access_token header, the id as a string and query buttons", async () => {
    const sent = await zalo.sendText(USER, "Xin chào", [{ title: "Tra cứu", payload: "m:status" }]);
    expect(sent.messageId).toMatch(/^[0-9a-f]+\d+$/);
    const [call] = fake.sent("oa/message/cs");
    expect(call!.accessToken).toBe(pair.accessToken);
    expect(call!.rawBody).toContain(`"user_id":"${USER}"`);
    expect(call!.body).toEqual({
      recipient: { user_id: USER },
      message: { text: "Xin chào", attachment: { type: "template", payload: { buttons: [{ title: "Tra cứu", type: "oa.query.show", payload: "m:status" }] } } },
    });
  });

  it("refuses more than 5 buttons or a text over 2000 characters before calling Zalo", async () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ title: `B${i}`, payload: `p${i}` }));
    await expect(zalo.sendText(USER, "x", six)).rejects.toThrow(RangeError);
    await expect(zalo.sendText(USER, "x".repeat(2001))).rejects.toThrow(RangeError);
    expect(fake.calls).toHaveLength(0);
  });

  it("turns an HTTP-200 refusal into ZaloApiError with Zalo's code", async () => {
    const err = await zalo.sendText("not-a-number", "x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZaloApiError);
    expect(err).toMatchObject({ code: -201, endpoint: "oa/message/cs", kind: "refused" });
    expect(fake.calls).toHaveLength(1);
  });

  it("-230 is a ZaloWindowError and is not retried", async () => {
    fake.closeWindow(USER, -230);
    const err = await zalo.sendText(USER, "x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZaloWindowError);
    expect(err).toMatchObject({ code: -230, kind: "window" });
    expect(fake.calls).toHaveLength(1);
  });

  it("retries -32 and 5xx with backoff, at most 3 tries", async () => {
    fake.failNext(1, -32);
    await zalo.sendText(USER, "after a rate limit");
    expect(fake.calls.map((c) => c.answer.error)).toEqual([-32, 0]);

    fake.reset();
    fake.failNextHttp(1, 502);
    fake.failNext(1, -100, "Unknown error");
    await zalo.sendText(USER, "after 502 and -100");
    expect(fake.calls.map((c) => c.status)).toEqual([502, 200, 200]);

    fake.reset();
    fake.failNext(5, -32);
    const err = await zalo.sendText(USER, "x").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: -32, kind: "rate_limited" });
    expect(fake.calls).toHaveLength(3);
  });

  it("-216 → refreshes the token, stores the new pair, retries once with the new token", async () => {
    fake.expireAccessToken();
    await zalo.sendText(USER, "after expiry");
    const [first, oauth, second] = fake.calls;
    expect(first).toMatchObject({ endpoint: "oa/message/cs", accessToken: pair.accessToken });
    expect(first!.answer.error).toBe(-216);
    expect(oauth).toMatchObject({ endpoint: "oauth/access_token", secretKey: fake.appSecret });
    expect(oauth!.body).toEqual({ app_id: fake.appId, grant_type: "refresh_token", refresh_token: pair.refreshToken });
    expect(second).toMatchObject({ endpoint: "oa/message/cs", accessToken: fake.currentAccessToken() });
    expect(second!.answer.error).toBe(0);
    const row = await db.prisma.channelToken.findUniqueOrThrow({ where: { channel: "zalo" } });
    expect(row).toMatchObject({ accessToken: fake.currentAccessToken(), refreshToken: fake.currentRefreshToken(), version: 2, lastRefreshError: null });
    expect(row.accessExpiresAt.getTime()).toBeGreaterThan(Date.now() + 89_000_000);
  });

  it("a token rejected again after the refresh is an error (one retry only)", async () => {
    fake.expireAccessToken();
    fake.failNext(1, -216, "Access token is invalid");
    // After the refresh, the programmed -216 answers the retry.
    const err = await zalo.sendText(USER, "x").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: -216, kind: "invalid_token" });
    expect(fake.oauthCalls()).toHaveLength(1);
  });

  it("a refresh that fails fails the call as invalid_token, which the sender retries later (temporary)", async () => {
    fake.expireAccessToken();
    fake.failOAuthNext(1);
    const err = await zalo.sendText(USER, "x").catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "invalid_token", endpoint: "oa/message/cs", code: -14020 });
    expect(outcomeOf(err)).toMatchObject({ ok: false, kind: "temporary" });
    expect(fake.calls.map((c) => c.endpoint)).toEqual(["oa/message/cs", "oauth/access_token"]);
  });

  it("sends ZNS to the 84… form of the phone staff stored; -118 is a refusal; -124 refreshes", async () => {
    const sent = await zalo.sendZns("0905 123 456", "tpl-1", { code: "H32-1" }, "track-1");
    expect(sent.msgId).toBeTruthy();
    expect(sent.quota).toEqual({ dailyQuota: 5000, remainingQuota: 4999 });
    expect(fake.sent("zns/message/template")[0]!.body).toEqual({ phone: "84905123456", template_id: "tpl-1", template_data: { code: "H32-1" }, tracking_id: "track-1" });

    fake.refusePhone("84912000111", -118);
    await expect(zalo.sendZns("+84912000111", "tpl-1", {}, "track-2")).rejects.toMatchObject({ code: -118, kind: "refused", endpoint: "zns/message/template" });
    await expect(zalo.sendZns("12", "tpl-1", {}, "t")).rejects.toThrow(RangeError);

    fake.reset();
    fake.expireAccessToken();
    await zalo.sendZns("0905123456", "tpl-1", {}, "track-3");
    expect(fake.calls.map((c) => `${c.endpoint}:${String(c.answer.error ?? "token")}`)).toEqual([
      "zns/message/template:-124",
      "oauth/access_token:token",
      "zns/message/template:0",
    ]);
  });

  it("sends the request_user_info template, template messages, and reads profiles with big ids", async () => {
    await zalo.sendRequestUserInfo(USER, "Chia sẻ số điện thoại", "Để xác minh hồ sơ của bạn");
    expect(fake.sent("oa/message/cs")[0]!.body.message).toEqual({
      attachment: { type: "template", payload: { template_type: "request_user_info", elements: [{ title: "Chia sẻ số điện thoại", subtitle: "Để xác minh hồ sơ của bạn" }] } },
    });
    const t = await zalo.sendTemplate(USER, "tpl-9", { a: 1 });
    expect(t.messageId).toBeTruthy();
    expect(fake.sent("oa/message/template")[0]!.body).toEqual({ user_id: USER, template_id: "tpl-9", template_data: { a: 1 } });
    fake.setProfile(USER, { display_name: "Trần Thị B" });
    const p = await zalo.getProfile(USER);
    expect(p).toMatchObject({ user_id: USER, display_name: "Trần Thị B" });
  });
});

describe("ZaloTokenStore", () => {
  beforeEach(async () => {
    await db.prisma.channelToken.deleteMany();
    await db.prisma.setting.deleteMany({ where: { key: { startsWith: "zalo." } } });
    pair = fake.authorize();
    fake.reset();
  });

  it("starts from ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN and refreshes a token expiring within 5 minutes", async () => {
    const tokens = store();
    expect(await tokens.getAccessToken()).toBe(pair.accessToken);
    expect(fake.calls).toHaveLength(0);
    await db.prisma.channelToken.update({ where: { channel: "zalo" }, data: { accessExpiresAt: new Date(Date.now() + 4 * 60_000) } });
    const fresh = store();
    expect(await fresh.getAccessToken()).toBe(fake.currentAccessToken());
    expect(fake.oauthCalls()).toHaveLength(1);
    expect(await fresh.readinessCheck()).toMatchObject({ name: "zalo-token", ok: true });
  });

  it("concurrent refreshes in one process make one OAuth call and share the new token", async () => {
    const tokens = store();
    await tokens.getAccessToken();
    fake.setOAuthDelay(150);
    const stale = fake.currentAccessToken();
    const got = await Promise.all(Array.from({ length: 5 }, () => tokens.refresh("test", stale)));
    expect(fake.oauthCalls()).toHaveLength(1);
    expect(new Set(got)).toEqual(new Set([fake.currentAccessToken()]));
  });

  it("two token stores (two instances) refreshing at once: one OAuth call, both get the same new token", async () => {
    // On PostgreSQL the second store gets its own connection pool, like another instance.
    const other = usingServer() ? new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url! }) }) : undefined;
    const prisma2 = other ?? db.prisma;
    try {
      const a = store();
      const b = store(prisma2);
      await a.getAccessToken();
      await b.getAccessToken();
      fake.setOAuthDelay(300);
      fake.expireAccessToken();
      const rejected = pair.accessToken;
      const [ta, tb] = await Promise.all([a.refresh("-216", rejected), b.refresh("-216", rejected)]);
      expect(fake.oauthCalls()).toHaveLength(1);
      expect(fake.oauthCalls()[0]!.answer.access_token).toBe(ta);
      expect(tb).toBe(ta);
      const row = await db.prisma.channelToken.findUniqueOrThrow({ where: { channel: "zalo" } });
      expect(row).toMatchObject({ accessToken: ta, refreshToken: fake.currentRefreshToken(), version: 2 });
      // Both clients now send with the new token without another refresh.
      await client(a).sendText(USER, "a");
      await client(b).sendText(USER, "b");
      expect(fake.oauthCalls()).toHaveLength(1);
    } finally {
      await other?.$disconnect();
    }
  });

  it("a failed refresh is stored, reported by the readiness check, and cleared by the next success", async () => {
    const tokens = store(db.prisma, { now: () => new Date() });
    await tokens.getAccessToken();
    fake.failOAuthNext(1);
    await expect(tokens.refresh("test")).rejects.toMatchObject({ endpoint: "oauth/access_token", code: -14020 });
    const row = await db.prisma.channelToken.findUniqueOrThrow({ where: { channel: "zalo" } });
    expect(row.lastRefreshError).toContain("-14020");
    expect(row.lastRefreshError).not.toContain(pair.refreshToken);
    expect(await tokens.readinessCheck()).toMatchObject({ name: "zalo-token", ok: false });
    // A new store (no in-process backoff) refreshes with the same, unspent refresh token.
    const again = store();
    expect(await again.refresh("retry")).toBe(fake.currentAccessToken());
    expect(await again.readinessCheck()).toMatchObject({ ok: true });
  });

  it("a spent refresh token is refused by Zalo and reported, never silently", async () => {
    const tokens = store();
    await tokens.refresh("first");
    // Someone restores an old database row: the stored refresh token is already spent.
    await db.prisma.channelToken.update({ where: { channel: "zalo" }, data: { refreshToken: pair.refreshToken } });
    await expect(store().refresh("second")).rejects.toMatchObject({ code: -14014 });
    expect((await store().readinessCheck()).ok).toBe(false);
  });

  it("keeps the rotated pair across restarts, but adopts a new ZALO_REFRESH_TOKEN from the environment", async () => {
    const first = store();
    await first.refresh("rotate");
    const rotated = fake.currentAccessToken();
    // Restart with the same environment: the stored (rotated) pair wins.
    expect(await store().getAccessToken()).toBe(rotated);
    // An operator re-authorised and put a new pair in the environment.
    const reseeded = store(db.prisma, { initial: { accessToken: "operator-access", refreshToken: "operator-refresh" } });
    expect(await reseeded.getAccessToken()).toBe("operator-access");
    const row = await db.prisma.channelToken.findUniqueOrThrow({ where: { channel: "zalo" } });
    expect(row.refreshToken).toBe("operator-refresh");
  });
});

afterEach(() => {
  fake.setOAuthDelay(0);
});
