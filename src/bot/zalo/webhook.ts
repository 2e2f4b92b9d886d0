// POST /webhooks/zalo: verify Zalo's signature over the exact raw body, reject stale or
// foreign events, store the event in the inbox, answer 200, process afterwards.
//
// Signature: header `X-ZEvent-Signature: mac=<hex>`, hex = SHA-256 (a plain hash, not an
// HMAC) of app_id + rawBody + timestamp + secret, where app_id and timestamp are the
// body's own fields. The body is read raw (never re-serialised) and parsed with a parser
// that keeps integers beyond 2^53 exact, so ids survive even when sent as bare numbers.
import { createHash, timingSafeEqual } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import { classifyError } from "../../api/errors.ts";
import { closeIfBodyUnread, readPlatformJson } from "../../api/json-body.ts";
import type { FailureLimit } from "../../api/rate-limit.ts";
import type { Logger } from "../../logger.ts";
import { zaloEventSchema } from "./events.ts";
import { parseJsonKeepingBigInts } from "./json.ts";
import type { ZaloEventProcessor } from "./processor.ts";

export const ZALO_WEBHOOK_PATH = "/webhooks/zalo";
export const SIGNATURE_HEADER = "x-zevent-signature";
/** Events older (or further in the future) than this are refused as replays. */
export const DEFAULT_MAX_EVENT_AGE_MS = 10 * 60_000;

export interface ZaloWebhookDeps {
  appId: string;
  /** ZALO_WEBHOOK_SECRET: the key Zalo appends when signing. */
  secret: string;
  processor: ZaloEventProcessor;
  logger: Logger;
  maxEventAgeMs?: number;
  now?: () => number;
  /** Counts poison deliveries (metrics: webhook_poison_total). */
  onPoison?: (outcome: string) => void;
  /** Refused signatures per client address (429 over the limit). */
  authLimit?: FailureLimit;
}

type Verdict = { ok: true; body: unknown } | { ok: false; reason: string };

/** Check signature, app id and age of one delivery. Exported for tests and tools. */
export function verifyZaloDelivery(raw: Buffer, signatureHeader: string | undefined, deps: Pick<ZaloWebhookDeps, "appId" | "secret" | "maxEventAgeMs" | "now">): Verdict {
  const m = /^\s*mac=([0-9a-fA-F]{64})\s*$/.exec(signatureHeader ?? "");
  if (!m) return { ok: false, reason: signatureHeader === undefined ? "no signature" : "malformed signature" };
  let body: unknown;
  try {
    body = parseJsonKeepingBigInts(raw.toString("utf8"));
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  const fields = body as { app_id?: unknown; timestamp?: unknown } | null;
  const appId = scalar(fields?.app_id);
  const timestamp = scalar(fields?.timestamp);
  if (appId === undefined || timestamp === undefined) return { ok: false, reason: "app_id or timestamp missing" };
  const expected = createHash("sha256").update(appId, "utf8").update(raw).update(timestamp, "utf8").update(deps.secret, "utf8").digest();
  if (!timingSafeEqual(Buffer.from(m[1]!, "hex"), expected)) return { ok: false, reason: "signature mismatch" };
  if (appId !== deps.appId) return { ok: false, reason: "app_id is not this app" };
  const ts = Number(timestamp);
  const now = deps.now?.() ?? Date.now();
  const maxAge = deps.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MS;
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(now - ts) > maxAge) return { ok: false, reason: "stale or future timestamp" };
  return { ok: true, body };
}

export function createZaloWebhookRouter(deps: ZaloWebhookDeps): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: "1mb" });

  /**
   * A signed delivery that cannot be used is acknowledged with 200 and counted: any other
   * answer makes Zalo deliver it again.
   */
  const poison = (res: Response, outcome: string, detail: Record<string, unknown> = {}) => {
    deps.logger.warn({ outcome, ...detail }, "Zalo event rejected (acknowledged, not processed)");
    deps.onPoison?.(outcome);
    res.status(200).json({ ok: true, outcome: "rejected" });
  };

  const limited = async (req: Request, res: Response, next: () => void) => {
    try {
      if (deps.authLimit && (await deps.authLimit.before(req, res))) return closeIfBodyUnread(req, res);
    } catch (err) {
      deps.logger.warn({ err }, "webhook failure limit unavailable");
    }
    next();
  };

  router.post(ZALO_WEBHOOK_PATH, limited, raw, async (req: Request, res: Response) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifyZaloDelivery(body, req.get(SIGNATURE_HEADER), deps);
    if (!verdict.ok) {
      deps.logger.warn({ reason: verdict.reason, ip: req.ip }, "Zalo webhook refused");
      try {
        if (deps.authLimit && (await deps.authLimit.onFailure(req, res))) return;
      } catch (err) {
        deps.logger.warn({ err }, "webhook failure limit unavailable");
      }
      res.status(401).json({ error: { code: "unauthorized", message: "Missing, wrong or stale signature" } });
      return;
    }
    // Authentic: from here on, a delivery that cannot be used is acknowledged, never refused.
    const read = readPlatformJson(body, parseJsonKeepingBigInts);
    if (!read.ok) return poison(res, `rejected_${read.reason}`);
    const parsed = zaloEventSchema.safeParse(read.value);
    if (!parsed.success) return poison(res, "rejected_invalid", { issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`) });
    if (read.sanitised) {
      deps.logger.warn({ event: parsed.data.event_name }, "Zalo event held U+0000 or invalid UTF-8: stored with U+FFFD in their place");
      deps.onPoison?.("sanitised");
    }
    let outcome;
    try {
      outcome = await deps.processor.receive(parsed.data);
    } catch (err) {
      const answer = classifyError(err);
      // The database refused the values themselves: retrying cannot help.
      if (answer && answer.status < 500) return poison(res, "rejected_unstorable", { event: parsed.data.event_name, code: answer.code });
      // Not stored (database unreachable): a non-2xx asks Zalo to deliver it again [U].
      deps.logger.error({ err, event: parsed.data.event_name }, "could not accept a Zalo event");
      if (answer?.retryAfter) res.setHeader("retry-after", String(answer.retryAfter));
      res.status(answer?.status ?? 500).json({ error: { code: answer?.code ?? "internal", message: "Could not store the event" } });
      return;
    }
    // Stored: answer now (Zalo expects an answer within about 2 s); processing continues.
    res.status(200).json({ ok: true, outcome });
  });

  return router;
}

function scalar(v: unknown): string | undefined {
  if (typeof v === "string" && v.length) return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  return undefined;
}
