// A fake Zalo on loopback: one real HTTP server for the OA Open API v3 (/v3.0/oa/…), OAuth
// (/v4/oa/access_token) and ZNS (/message/template). It answers like Zalo — HTTP 200 with an
// `error` code for refusals — rotates single-use refresh tokens, records every call, and can
// be told to misbehave: expire the access token (-216 / ZNS -124), close a user's window
// (-230), rate-limit (-32), fail with 5xx, refuse a ZNS phone (-118), delay OAuth answers.
// Also builds webhook bodies signed with Zalo's formula, as raw strings that can carry ids
// too large for JS numbers.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseJsonKeepingBigInts } from "../../src/bot/zalo/json.ts";

export const FAKE_APP_ID = "4318912312312312312";
export const FAKE_APP_SECRET = "fake-app-secret-0123456789";
export const FAKE_WEBHOOK_SECRET = "fake-oa-secret-key-abcdef";

export type ZaloEndpoint = "oa/message/cs" | "oa/message/template" | "oa/user/detail" | "oauth/access_token" | "zns/message/template" | "unknown";

export interface ZaloCall {
  endpoint: ZaloEndpoint;
  method: string;
  path: string;
  /** access_token header (OA / ZNS) or secret_key header (OAuth). */
  accessToken?: string | undefined;
  secretKey?: string | undefined;
  /** Parsed body (big integers kept as strings); form fields for OAuth; query data for GETs. */
  body: Record<string, unknown>;
  rawBody: string;
  /** What the fake answered. */
  status: number;
  answer: Record<string, unknown>;
  at: number;
}

export interface FakeZalo {
  /** Base URL for ZALO_API_BASE, ZALO_OAUTH_BASE and ZALO_ZNS_BASE alike. */
  url: string;
  appId: string;
  appSecret: string;
  webhookSecret: string;
  /** The pair handed out at start (ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN). */
  initialAccessToken: string;
  initialRefreshToken: string;
  /** Every ZALO_* variable the service needs to talk to this fake. */
  env(over?: Record<string, string>): Record<string, string>;
  calls: ZaloCall[];
  /** Successful calls of one endpoint (optionally to one user id). */
  sent(endpoint: ZaloEndpoint, userId?: string): ZaloCall[];
  /** Texts of successful consultation messages (to one user). */
  texts(userId?: string): string[];
  oauthCalls(): ZaloCall[];
  /** The access token the fake currently accepts (last issued). */
  currentAccessToken(): string;
  currentRefreshToken(): string;
  /** Issue a fresh pair as if an operator authorised the OA again (the previous refresh token dies). */
  authorize(): { accessToken: string; refreshToken: string };
  /** Mark an access token (default: every issued one) expired: later calls with it get -216 (ZNS -124). */
  expireAccessToken(token?: string): void;
  /** Calls to this user get `code` (default -230: no interaction in 7 days). */
  closeWindow(userId: string, code?: number): void;
  /** The next `count` OA/ZNS calls answer this Zalo error (default -32 rate limit), HTTP 200. */
  failNext(count?: number, code?: number, message?: string): void;
  /** The next `count` OA/ZNS calls answer this HTTP status with no Zalo body. */
  failNextHttp(count: number, status?: number): void;
  /** ZNS to this phone (84… form) gets `code` (default -118: no Zalo account). */
  refusePhone(phone84: string, code?: number): void;
  /** The next `count` OAuth calls fail with a Zalo OAuth error. */
  failOAuthNext(count?: number): void;
  /** OAuth answers wait this long (provokes concurrent refreshes). */
  setOAuthDelay(ms: number): void;
  /** Profile returned by user/detail. */
  setProfile(userId: string, profile: { display_name?: string; phone?: string }): void;
  /**
   * An image on the fake's CDN (what a user_send_image event points to); `status` makes the
   * URL answer an HTTP error instead.
   */
  hostImage(bytes: Uint8Array, o?: { status?: number }): string;
  /** Image downloads served so far (paths). */
  imageDownloads: string[];
  waitFor(predicate: (calls: ZaloCall[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Forget calls and programmed failures (tokens stay as they are). */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeZaloOptions {
  /** Access token lifetime reported by OAuth (seconds; Zalo: 90000). */
  expiresIn?: number;
  /** Whether issuing a new pair kills the previous access token (default true; Zalo [U]). */
  rotateKillsOldAccess?: boolean;
}

export async function startFakeZalo(opts: FakeZaloOptions = {}): Promise<FakeZalo> {
  const calls: ZaloCall[] = [];
  let counter = 0;
  const issue = (prefix: string) => `${prefix}-${++counter}-${randomBytes(6).toString("hex")}`;
  const accessTokens = new Map<string, { expired: boolean }>();
  let accessToken = issue("fake-at");
  accessTokens.set(accessToken, { expired: false });
  let refreshToken = issue("fake-rt");
  const initialAccessToken = accessToken;
  const initialRefreshToken = refreshToken;
  const spentRefreshTokens = new Set<string>();
  const windows = new Map<string, number>();
  const refusedPhones = new Map<string, number>();
  const profiles = new Map<string, { display_name?: string; phone?: string }>();
  let zaloFailures: { code: number; message: string }[] = [];
  let httpFailures: number[] = [];
  let oauthFailures = 0;
  let oauthDelayMs = 0;
  let nextMsg = 0;
  const images = new Map<string, { bytes: Uint8Array; status: number }>();
  const imageDownloads: string[] = [];
  const messageId = () => randomBytes(16).toString("hex") + String(++nextMsg);

  function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  function endpointOf(method: string, path: string): ZaloEndpoint {
    if (method === "POST" && path === "/v3.0/oa/message/cs") return "oa/message/cs";
    if (method === "POST" && path === "/v3.0/oa/message/template") return "oa/message/template";
    if (method === "GET" && path === "/v3.0/oa/user/detail") return "oa/user/detail";
    if (method === "POST" && path === "/v4/oa/access_token") return "oauth/access_token";
    if (method === "POST" && path === "/message/template") return "zns/message/template";
    return "unknown";
  }

  function oauth(form: URLSearchParams, secretKey: string | undefined): Record<string, unknown> {
    if (secretKey !== FAKE_APP_SECRET) return { error: -14002, error_name: "Invalid secret key", error_reason: "secret_key is wrong" };
    if (form.get("app_id") !== FAKE_APP_ID) return { error: -14001, error_name: "Invalid app_id" };
    if (form.get("grant_type") !== "refresh_token") return { error: -14003, error_name: "Invalid grant_type" };
    if (oauthFailures > 0) {
      oauthFailures--;
      return { error: -14020, error_name: "Server error", error_reason: "programmed failure" };
    }
    const given = form.get("refresh_token") ?? "";
    if (given !== refreshToken) {
      return spentRefreshTokens.has(given)
        ? { error: -14014, error_name: "Invalid refresh token", error_reason: "refresh token was already used" }
        : { error: -14014, error_name: "Invalid refresh token", error_reason: "unknown refresh token" };
    }
    spentRefreshTokens.add(refreshToken);
    if (opts.rotateKillsOldAccess ?? true) for (const t of accessTokens.values()) t.expired = true;
    accessToken = issue("fake-at");
    accessTokens.set(accessToken, { expired: false });
    refreshToken = issue("fake-rt");
    // Zalo sends expires_in as a string.
    return { access_token: accessToken, refresh_token: refreshToken, expires_in: String(opts.expiresIn ?? 90000) };
  }

  function api(endpoint: ZaloEndpoint, token: string | undefined, body: Record<string, unknown>): Record<string, unknown> {
    const zns = endpoint === "zns/message/template";
    const t = token ? accessTokens.get(token) : undefined;
    if (!t || t.expired) return zns ? { error: -124, message: "Access token is invalid" } : { error: -216, message: "Access token is invalid" };
    const failure = zaloFailures.shift();
    if (failure) return { error: failure.code, message: failure.message };
    switch (endpoint) {
      case "oa/message/cs": {
        const recipient = body.recipient as { user_id?: unknown } | undefined;
        const userId = recipient?.user_id;
        if (typeof userId !== "string" || !/^\d+$/.test(userId)) return { error: -201, message: "user_id is invalid" };
        const closed = windows.get(userId);
        if (closed !== undefined) return { error: closed, message: windowMessage(closed) };
        const message = body.message as { text?: unknown; attachment?: { payload?: { buttons?: unknown[]; template_type?: string } } } | undefined;
        const buttons = message?.attachment?.payload?.buttons;
        if (Array.isArray(buttons) && buttons.length > 5) return { error: -201, message: "buttons exceed 5" };
        if (typeof message?.text === "string" && message.text.length > 2000) return { error: -201, message: "text exceeds 2000 characters" };
        if (message?.text === undefined && message?.attachment?.payload?.template_type !== "request_user_info") return { error: -201, message: "message is empty" };
        return { error: 0, message: "Success", data: { message_id: messageId(), user_id: userId } };
      }
      case "oa/message/template": {
        const userId = body.user_id;
        if (typeof userId !== "string" || !/^\d+$/.test(userId)) return { error: -201, message: "user_id is invalid" };
        const closed = windows.get(userId);
        if (closed !== undefined) return { error: closed, message: windowMessage(closed) };
        return { error: 0, message: "Success", data: { msg_id: messageId(), user_id: userId } };
      }
      case "oa/user/detail": {
        const userId = body.user_id;
        if (typeof userId !== "string" || !/^\d+$/.test(userId)) return { error: -201, message: "user_id is invalid" };
        const p = profiles.get(userId);
        return {
          error: 0,
          message: "Success",
          data: {
            user_id: userId,
            display_name: p?.display_name ?? `Zalo user ${userId.slice(-4)}`,
            user_is_follower: true,
            ...(p?.phone ? { shared_info: { phone: p.phone } } : {}),
          },
        };
      }
      case "zns/message/template": {
        const phone = body.phone;
        if (typeof phone !== "string" || !/^84\d{9,10}$/.test(phone)) return { error: -108, message: "Phone number is invalid" };
        const refused = refusedPhones.get(phone);
        if (refused !== undefined) return { error: refused, message: refused === -118 ? "Zalo account does not exist" : "Refused" };
        return { error: 0, message: "Success", data: { msg_id: messageId(), sent_time: String(Date.now()), quota: { dailyQuota: "5000", remainingQuota: "4999" } } };
      }
      default:
        return { error: -1, message: "Unknown endpoint" };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const media = /^\/media\/([a-f0-9]+)\.jpg$/.exec(u.pathname);
    if (media && method === "GET") {
      const img = images.get(media[1]!);
      imageDownloads.push(u.pathname);
      if (!img) return answer(res, 404, { error: 404, message: "Not found" });
      if (img.status !== 200) return answer(res, img.status, { error: img.status, message: "programmed failure" });
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": img.bytes.length });
      res.end(Buffer.from(img.bytes));
      return;
    }
    const endpoint = endpointOf(method, u.pathname);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    let body: Record<string, unknown> = {};
    let status = 200;
    let out: Record<string, unknown>;
    if (endpoint === "oauth/access_token") {
      const form = new URLSearchParams(rawBody);
      body = Object.fromEntries(form);
      if (oauthDelayMs) await new Promise((r) => setTimeout(r, oauthDelayMs));
      out = oauth(form, header("secret_key"));
    } else {
      try {
        const parsed = endpoint === "oa/user/detail" ? parseJsonKeepingBigInts(u.searchParams.get("data") ?? "{}") : rawBody ? parseJsonKeepingBigInts(rawBody) : {};
        body = (parsed ?? {}) as Record<string, unknown>;
      } catch {
        body = {};
      }
      const httpFailure = endpoint === "unknown" ? undefined : httpFailures.shift();
      if (httpFailure !== undefined) {
        status = httpFailure;
        out = { message: `HTTP ${httpFailure}` };
        calls.push({ endpoint, method, path: u.pathname, accessToken: header("access_token"), body, rawBody, status, answer: out, at: Date.now() });
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(`HTTP ${status}`);
        return;
      }
      out = endpoint === "unknown" ? { error: 404, message: "Not found" } : api(endpoint, header("access_token"), body);
      if (endpoint === "unknown") status = 404;
    }
    calls.push({
      endpoint,
      method,
      path: u.pathname,
      accessToken: header("access_token"),
      secretKey: header("secret_key"),
      body,
      rawBody,
      status,
      answer: out,
      at: Date.now(),
    });
    answer(res, status, out);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => answer(res, 500, { error: -1, message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ok = (c: ZaloCall) => c.status === 200 && (c.answer.error === 0 || (c.endpoint === "oauth/access_token" && typeof c.answer.access_token === "string"));

  const fake: FakeZalo = {
    url,
    appId: FAKE_APP_ID,
    appSecret: FAKE_APP_SECRET,
    webhookSecret: FAKE_WEBHOOK_SECRET,
    initialAccessToken,
    initialRefreshToken,
    env(over = {}) {
      return {
        ZALO_APP_ID: FAKE_APP_ID,
        ZALO_APP_SECRET: FAKE_APP_SECRET,
        ZALO_WEBHOOK_SECRET: FAKE_WEBHOOK_SECRET,
        ZALO_ACCESS_TOKEN: initialAccessToken,
        ZALO_REFRESH_TOKEN: initialRefreshToken,
        ZALO_API_BASE: url,
        ZALO_OAUTH_BASE: url,
        ZALO_ZNS_BASE: url,
        ...over,
      };
    },
    calls,
    sent(endpoint, userId) {
      return calls.filter((c) => c.endpoint === endpoint && ok(c) && (userId === undefined || recipientOf(c) === userId));
    },
    texts(userId) {
      return fake
        .sent("oa/message/cs", userId)
        .map((c) => (c.body.message as { text?: string } | undefined)?.text)
        .filter((t): t is string => typeof t === "string");
    },
    oauthCalls() {
      return calls.filter((c) => c.endpoint === "oauth/access_token");
    },
    currentAccessToken: () => accessToken,
    authorize() {
      spentRefreshTokens.add(refreshToken);
      accessToken = issue("fake-at");
      accessTokens.set(accessToken, { expired: false });
      refreshToken = issue("fake-rt");
      return { accessToken, refreshToken };
    },
    currentRefreshToken: () => refreshToken,
    expireAccessToken(token) {
      if (token) {
        const t = accessTokens.get(token);
        if (t) t.expired = true;
      } else for (const t of accessTokens.values()) t.expired = true;
    },
    closeWindow(userId, code = -230) {
      windows.set(userId, code);
    },
    failNext(count = 1, code = -32, message = code === -32 ? "Request is over rate limit" : "Failure") {
      for (let i = 0; i < count; i++) zaloFailures.push({ code, message });
    },
    failNextHttp(count, status = 500) {
      for (let i = 0; i < count; i++) httpFailures.push(status);
    },
    refusePhone(phone84, code = -118) {
      refusedPhones.set(phone84, code);
    },
    failOAuthNext(count = 1) {
      oauthFailures += count;
    },
    setOAuthDelay(ms) {
      oauthDelayMs = ms;
    },
    setProfile(userId, profile) {
      profiles.set(userId, profile);
    },
    hostImage(bytes, o = {}) {
      const id = randomBytes(8).toString("hex");
      images.set(id, { bytes, status: o.status ?? 200 });
      return `${url}/media/${id}.jpg`;
    },
    imageDownloads,
    async waitFor(predicate, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > until) throw new Error(`fake Zalo: condition not met within ${timeoutMs} ms; calls: ${calls.map((c) => `${c.endpoint}→${String(c.answer.error ?? "ok")}`).join(", ")}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    reset() {
      calls.length = 0;
      zaloFailures = [];
      httpFailures = [];
      oauthFailures = 0;
      oauthDelayMs = 0;
      windows.clear();
      refusedPhones.clear();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return fake;
}

function recipientOf(c: ZaloCall): string | undefined {
  const r = (c.body.recipient as { user_id?: unknown } | undefined)?.user_id ?? c.body.user_id;
  return typeof r === "string" ? r : undefined;
}

function windowMessage(code: number): string {
  switch (code) {
    case -230:
      return "User has not interacted with the OA in the last 7 days";
    case -234:
      return "Sending at night is not allowed";
    default:
      return "Message cannot be sent outside the interaction window";
  }
}

// ---- Webhook bodies -------------------------------------------------------------------

const BIG = "\u0001big:";

/** A value that serialises as a bare JSON number (e.g. an id beyond 2^53) in zaloBody(). */
export function bareNumber(digits: string): string {
  if (!/^-?\d+$/.test(digits)) throw new Error(`not an integer: ${digits}`);
  return BIG + digits;
}

/** JSON text of `event`, with bareNumber() values written as unquoted number literals. */
export function zaloBody(event: unknown): string {
  return JSON.stringify(event).replace(/"\\u0001big:(-?\d+)"/g, "$1");
}

/** X-ZEvent-Signature value: mac=sha256(app_id + rawBody + timestamp + secret). */
export function zaloSignature(rawBody: string, appId: string, timestamp: string, secret: string): string {
  return "mac=" + createHash("sha256").update(appId + rawBody + timestamp + secret, "utf8").digest("hex");
}

export interface EventOptions {
  msgId?: string;
  /** Milliseconds since the epoch, as Zalo sends it (a string); default now. */
  timestamp?: string;
  appId?: string;
  oaId?: string;
}

const oaIdDefault = "579745863508352884";

/** Event builders shaped like Zalo's webhook bodies (ids and timestamp as strings). */
export const zaloEvents = {
  text(userId: string, text: string, o: EventOptions = {}) {
    return {
      app_id: o.appId ?? FAKE_APP_ID,
      user_id_by_app: "5529128733342187" + userId.slice(-3),
      event_name: "user_send_text",
      timestamp: o.timestamp ?? String(Date.now()),
      sender: { id: userId },
      recipient: { id: o.oaId ?? oaIdDefault },
      message: { msg_id: o.msgId ?? randomBytes(16).toString("hex"), text },
    };
  },
  /** Answer to request_user_info (shape [U]: info.phone in 84… form). */
  submitInfo(userId: string, phone: string, o: EventOptions & { name?: string } = {}) {
    return {
      app_id: o.appId ?? FAKE_APP_ID,
      user_id_by_app: "5529128733342187" + userId.slice(-3),
      event_name: "user_submit_info",
      timestamp: o.timestamp ?? String(Date.now()),
      sender: { id: userId },
      recipient: { id: o.oaId ?? oaIdDefault },
      info: { name: o.name ?? "Nguyễn Văn A", phone, address: "", city: "", district: "", ward: "" },
    };
  },
  /** A picture sent to the OA (shape as in Zalo's OA webhook documentation [U]). */
  image(userId: string, imageUrl: string, o: EventOptions & { text?: string } = {}) {
    return {
      app_id: o.appId ?? FAKE_APP_ID,
      user_id_by_app: "5529128733342187" + userId.slice(-3),
      event_name: "user_send_image",
      timestamp: o.timestamp ?? String(Date.now()),
      sender: { id: userId },
      recipient: { id: o.oaId ?? oaIdDefault },
      message: {
        msg_id: o.msgId ?? randomBytes(16).toString("hex"),
        text: o.text ?? "",
        attachments: [{ type: "image", payload: { thumbnail: imageUrl.replace(".jpg", "_thumb.jpg"), url: imageUrl } }],
      },
    };
  },
  follow(userId: string, o: EventOptions = {}) {
    return {
      app_id: o.appId ?? FAKE_APP_ID,
      oa_id: o.oaId ?? oaIdDefault,
      user_id_by_app: "5529128733342187" + userId.slice(-3),
      event_name: "follow",
      timestamp: o.timestamp ?? String(Date.now()),
      source: "oa_profile",
      follower: { id: userId },
    };
  },
  unfollow(userId: string, o: EventOptions = {}) {
    return { ...zaloEvents.follow(userId, o), event_name: "unfollow" };
  },
  received(userId: string, msgIds: string[], o: EventOptions & { trackingId?: string } = {}) {
    return {
      app_id: o.appId ?? FAKE_APP_ID,
      event_name: "user_received_message",
      timestamp: o.timestamp ?? String(Date.now()),
      sender: { id: o.oaId ?? oaIdDefault },
      recipient: { id: userId },
      message: { msg_ids: msgIds, ...(o.trackingId ? { tracking_id: o.trackingId } : {}) },
    };
  },
};

export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

/**
 * A webhook delivery: the raw body and its X-ZEvent-Signature. `appId`/`timestamp` for the
 * signature come from the event (as Zalo does); pass `body` to sign a hand-written raw body.
 */
export function signedWebhook(event: Record<string, unknown>, o: { secret?: string; body?: string; appId?: string; timestamp?: string } = {}): SignedWebhook {
  const body = o.body ?? zaloBody(event);
  const appId = o.appId ?? stripBig(String(event.app_id));
  const timestamp = o.timestamp ?? stripBig(String(event.timestamp));
  return {
    body,
    headers: { "content-type": "application/json", "x-zevent-signature": zaloSignature(body, appId, timestamp, o.secret ?? FAKE_WEBHOOK_SECRET) },
  };
}

function stripBig(v: string): string {
  return v.startsWith(BIG) ? v.slice(BIG.length) : v;
}
