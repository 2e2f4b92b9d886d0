// A small typed client for the Zalo Official Account Open API v3 and ZNS. npm has no
// maintained one. Zalo answers HTTP 200 even when it refuses, so every answer's `error`
// field is checked and any refusal becomes one error type, ZaloApiError, carrying Zalo's
// code. Policy, in one place:
//   -216 (OA) / -124 (ZNS) invalid token → ask the token store for a fresh one, retry once;
//   -32 rate limit, -100, HTTP 5xx/429, network → retry with bounded backoff;
//   window errors (-213 -217 -227 -230 -232 -234 -244) → ZaloWindowError, never retried;
//   anything else → ZaloApiError, never retried.
// Ids stay strings end to end (user and message ids exceed 2^53).
import { z } from "zod";
import { normalizePhone, phoneToInternational } from "../../core/identity.ts";
import type { Logger } from "../../logger.ts";
import { parseJsonKeepingBigInts } from "./json.ts";

/** Outside the 48 h / 7 day interaction window, night hours, and similar: fall back or give up. */
export const WINDOW_ERROR_CODES: ReadonlySet<number> = new Set([-213, -217, -227, -230, -232, -234, -244]);
/** Invalid / expired access token: -216 on the OA API, -124 on ZNS. */
export const INVALID_TOKEN_CODES: ReadonlySet<number> = new Set([-216, -124]);
/** Rate limit (-32) and Zalo's generic temporary failure (-100). */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([-32, -100]);
/** Zalo's limits for a consultation message (characters). */
export const MAX_TEXT_LENGTH = 2000;
export const MAX_BUTTONS = 5;
export const MAX_BUTTON_TITLE = 100;
export const MAX_BUTTON_PAYLOAD = 1000;

export type ZaloErrorKind =
  /** Zalo refused for good (bad parameters, user unknown, no Zalo account for a phone…). */
  | "refused"
  /** A window rule: the message cannot be sent by this route now. */
  | "window"
  /** The access token was rejected after the one refresh-and-retry, or none could be had. */
  | "invalid_token"
  /** -32 / HTTP 429 after the retries. */
  | "rate_limited"
  /** -100 / HTTP 5xx after the retries. */
  | "temporary"
  /** Zalo never answered (network failure, timeout) after the retries. */
  | "transport";

/** Zalo refused, or could not be reached. `code` is Zalo's error code (0 when Zalo never answered). */
export class ZaloApiError extends Error {
  override name = "ZaloApiError";
  constructor(
    readonly code: number,
    readonly zaloMessage: string,
    readonly endpoint: string,
    readonly kind: ZaloErrorKind,
    readonly httpStatus?: number,
  ) {
    super(`Zalo ${endpoint}: ${code ? `error ${code} ` : ""}${zaloMessage}`);
  }
}

/** A window rule refused the message (e.g. -230: no interaction in 7 days). Not retried. */
export class ZaloWindowError extends ZaloApiError {
  override name = "ZaloWindowError";
  constructor(code: number, zaloMessage: string, endpoint: string, httpStatus?: number) {
    super(code, zaloMessage, endpoint, "window", httpStatus);
  }
}

export function kindOfCode(code: number): ZaloErrorKind {
  if (WINDOW_ERROR_CODES.has(code)) return "window";
  if (INVALID_TOKEN_CODES.has(code)) return "invalid_token";
  if (code === -32) return "rate_limited";
  if (code === -100) return "temporary";
  return "refused";
}

function zaloError(code: number, message: string, endpoint: string, httpStatus?: number): ZaloApiError {
  const kind = kindOfCode(code);
  return kind === "window" ? new ZaloWindowError(code, message, endpoint, httpStatus) : new ZaloApiError(code, message, endpoint, kind, httpStatus);
}

/** Where the client gets access tokens (ZaloTokenStore). */
export interface AccessTokenSource {
  getAccessToken(): Promise<string>;
  /** `rejected` was refused by Zalo: return a working token (rotating the pair at most once). */
  refresh(reason: string, rejected?: string): Promise<string>;
}

export interface RetryPolicy {
  /** Total tries for retryable failures (default 3). */
  tries: number;
  /** Wait before try 2, 3, … (default 200 ms, 800 ms). */
  delaysMs: number[];
}

export interface ZaloClientOptions {
  /** ZALO_API_BASE, e.g. https://openapi.zalo.me */
  apiBase: string;
  /** ZALO_ZNS_BASE, e.g. https://business.openapi.zalo.me */
  znsBase: string;
  tokens: AccessTokenSource;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

/** An id that may arrive as a string or (small enough) number; always a string after parsing. */
export const zaloId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

const envelopeSchema = z.looseObject({
  error: z.coerce.number().int(),
  message: z.string().optional(),
  data: z.unknown().optional(),
});

const sentSchema = z.looseObject({ message_id: zaloId, user_id: zaloId.optional() });
const templateSentSchema = z.looseObject({ msg_id: zaloId.optional(), message_id: zaloId.optional(), user_id: zaloId.optional() });
const znsSentSchema = z.looseObject({
  msg_id: zaloId,
  sent_time: z.union([z.string(), z.number()]).transform(String).optional(),
  quota: z.looseObject({ dailyQuota: z.coerce.number(), remainingQuota: z.coerce.number() }).optional(),
});
const profileSchema = z.looseObject({
  user_id: zaloId,
  user_id_by_app: zaloId.optional(),
  display_name: z.string().optional(),
  user_alias: z.string().optional(),
  avatar: z.string().optional(),
  user_is_follower: z.boolean().optional(),
  shared_info: z.looseObject({ phone: z.union([z.string(), z.number()]).transform(String).optional(), name: z.string().optional() }).nullish(),
});

export type ZaloProfile = z.infer<typeof profileSchema>;

export interface QueryButton {
  title: string;
  /** Comes back verbatim as the text of a user_send_text event when pressed. */
  payload: string;
  /** show: the payload appears in the chat as the citizen's message; hide: it does not. */
  type?: "oa.query.show" | "oa.query.hide";
}

export interface SentMessage {
  messageId: string;
  userId?: string;
}

export interface ZnsSent {
  msgId: string;
  sentTime?: string;
  quota?: { dailyQuota: number; remainingQuota: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ZaloClient {
  private readonly apiBase: string;
  private readonly znsBase: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ZaloClientOptions) {
    this.apiBase = opts.apiBase.replace(/\/+$/, "");
    this.znsBase = opts.znsBase.replace(/\/+$/, "");
    this.retry = { tries: opts.retry?.tries ?? 3, delaysMs: opts.retry?.delaysMs ?? [200, 800] };
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** The same client (same token store, same endpoints) with another retry policy, e.g. one try for the delivery engine, which owns retries. */
  withRetry(retry: Partial<RetryPolicy>): ZaloClient {
    return new ZaloClient({ ...this.opts, retry: { ...this.retry, ...retry } });
  }

  /** Consultation message (free within the reply window), optionally with up to 5 query buttons. */
  async sendText(userId: string, text: string, buttons: QueryButton[] = []): Promise<SentMessage> {
    if (!text.length || text.length > MAX_TEXT_LENGTH) throw new RangeError(`Zalo text must be 1–${MAX_TEXT_LENGTH} characters (got ${text.length})`);
    if (buttons.length > MAX_BUTTONS) throw new RangeError(`Zalo allows at most ${MAX_BUTTONS} buttons per message (got ${buttons.length})`);
    for (const b of buttons) {
      if (!b.title.length || b.title.length > MAX_BUTTON_TITLE) throw new RangeError(`Zalo button titles must be 1–${MAX_BUTTON_TITLE} characters`);
      if (!b.payload.length || b.payload.length > MAX_BUTTON_PAYLOAD) throw new RangeError(`Zalo button payloads must be 1–${MAX_BUTTON_PAYLOAD} characters`);
    }
    const message = buttons.length
      ? {
          text,
          attachment: {
            type: "template",
            payload: { buttons: buttons.map((b) => ({ title: b.title, type: b.type ?? "oa.query.show", payload: b.payload })) },
          },
        }
      : { text };
    const data = await this.call("oa/message/cs", "POST", `${this.apiBase}/v3.0/oa/message/cs`, { recipient: { user_id: userId }, message }, sentSchema);
    return { messageId: data.message_id, ...(data.user_id ? { userId: data.user_id } : {}) };
  }

  /** Template asking the citizen to share name and phone; the answer is a user_submit_info event. */
  async sendRequestUserInfo(userId: string, title: string, subtitle: string, imageUrl?: string): Promise<SentMessage> {
    const element = { title: title.slice(0, 100), subtitle: subtitle.slice(0, 500), ...(imageUrl ? { image_url: imageUrl } : {}) };
    const body = {
      recipient: { user_id: userId },
      message: { attachment: { type: "template", payload: { template_type: "request_user_info", elements: [element] } } },
    };
    const data = await this.call("oa/message/cs", "POST", `${this.apiBase}/v3.0/oa/message/cs`, body, sentSchema);
    return { messageId: data.message_id, ...(data.user_id ? { userId: data.user_id } : {}) };
  }

  /** Approved template message to a user id (the successor of transaction messages). */
  async sendTemplate(userId: string, templateId: string, templateData: Record<string, unknown>): Promise<SentMessage> {
    const data = await this.call(
      "oa/message/template",
      "POST",
      `${this.apiBase}/v3.0/oa/message/template`,
      { user_id: userId, template_id: templateId, template_data: templateData },
      templateSentSchema,
    );
    return { messageId: data.msg_id ?? data.message_id ?? "", ...(data.user_id ? { userId: data.user_id } : {}) };
  }

  /**
   * ZNS template message to a phone number. `phone` may be in any form staff store
   * (0905…, +84905…, 84905…); Zalo wants 84xxxxxxxxx.
   */
  async sendZns(
    phone: string,
    templateId: string,
    templateData: Record<string, unknown>,
    trackingId: string,
    opts: { development?: boolean } = {},
  ): Promise<ZnsSent> {
    const national = normalizePhone(phone);
    if (!national) throw new RangeError("Not a Vietnamese phone number; ZNS needs one");
    const body = {
      phone: phoneToInternational(national),
      template_id: templateId,
      template_data: templateData,
      tracking_id: trackingId,
      ...(opts.development ? { mode: "development" } : {}),
    };
    const data = await this.call("zns/message/template", "POST", `${this.znsBase}/message/template`, body, znsSentSchema);
    return { msgId: data.msg_id, ...(data.sent_time ? { sentTime: data.sent_time } : {}), ...(data.quota ? { quota: data.quota } : {}) };
  }

  /** Follower profile (display name; shared_info once the user shared it). */
  async getProfile(userId: string): Promise<ZaloProfile> {
    const query = encodeURIComponent(JSON.stringify({ user_id: userId }));
    return this.call("oa/user/detail", "GET", `${this.apiBase}/v3.0/oa/user/detail?data=${query}`, undefined, profileSchema);
  }

  private async call<T>(endpoint: string, method: "GET" | "POST", url: string, body: unknown, schema: z.ZodType<T, unknown>): Promise<T> {
    let refreshed = false;
    let attempt = 1;
    for (;;) {
      const token = await this.token(endpoint, () => this.opts.tokens.getAccessToken());
      try {
        return await this.once(endpoint, method, url, body, token, schema);
      } catch (err) {
        if (!(err instanceof ZaloApiError)) throw err;
        if (err.kind === "invalid_token" && !refreshed) {
          refreshed = true;
          this.opts.logger?.info({ endpoint, code: err.code }, "Zalo rejected the access token; refreshing and retrying once");
          await this.token(endpoint, () => this.opts.tokens.refresh(`${endpoint} answered ${err.code}`, token));
          continue;
        }
        const retryable = err.kind === "rate_limited" || err.kind === "temporary" || err.kind === "transport";
        if (retryable && attempt < this.retry.tries) {
          const wait = this.retry.delaysMs[Math.min(attempt - 1, this.retry.delaysMs.length - 1)] ?? 0;
          this.opts.logger?.warn({ endpoint, code: err.code, httpStatus: err.httpStatus, attempt, waitMs: wait }, "Zalo call failed; retrying");
          attempt++;
          await sleep(wait);
          continue;
        }
        throw err;
      }
    }
  }

  /** A token problem (refresh refused, database down) is an invalid_token failure of this call: retried later, not dropped. */
  private async token(endpoint: string, get: () => Promise<string>): Promise<string> {
    try {
      return await get();
    } catch (err) {
      const why = err instanceof ZaloApiError ? `${err.endpoint}${err.code ? ` error ${err.code}` : ""}: ${err.zaloMessage}` : (err as Error)?.message ?? String(err);
      throw new ZaloApiError(err instanceof ZaloApiError ? err.code : 0, `no usable access token (${why})`, endpoint, "invalid_token");
    }
  }

  private async once<T>(endpoint: string, method: "GET" | "POST", url: string, body: unknown, token: string, schema: z.ZodType<T, unknown>): Promise<T> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers: { access_token: token, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new ZaloApiError(0, (err as Error)?.message ?? String(err), endpoint, "transport");
    }
    return parseAnswer(endpoint, res.status, text, schema);
  }
}

/** Check one Zalo answer: HTTP status, then the `error` field, then the data shape. */
export function parseAnswer<T>(endpoint: string, status: number, text: string, schema: z.ZodType<T, unknown>): T {
  let json: unknown;
  try {
    json = parseJsonKeepingBigInts(text);
  } catch {
    json = undefined;
  }
  const envelope = envelopeSchema.safeParse(json);
  if (envelope.success && envelope.data.error !== 0) throw zaloError(envelope.data.error, envelope.data.message ?? "", endpoint, status);
  if (status === 429) throw new ZaloApiError(-32, `HTTP 429`, endpoint, "rate_limited", status);
  if (status >= 500) throw new ZaloApiError(0, `HTTP ${status}`, endpoint, "temporary", status);
  if (status < 200 || status >= 300) throw new ZaloApiError(0, `HTTP ${status}`, endpoint, "refused", status);
  if (!envelope.success) throw new ZaloApiError(0, "unreadable answer (no error field)", endpoint, "refused", status);
  const data = schema.safeParse(envelope.data.data);
  if (!data.success) throw new ZaloApiError(0, `unexpected answer: ${z.prettifyError(data.error).slice(0, 300)}`, endpoint, "refused", status);
  return data.data;
}
