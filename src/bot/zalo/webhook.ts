// POST /webhooks/zalo: verify Zalo's signature over the exact raw body, reject stale or
// foreign events, store the event in the inbox, answer 200, process afterwards.
//
// Signature: header `X-ZEvent-Signature: mac=<hex>`, hex = SHA-256 (a plain hash, not an
// HMAC) of app_id + rawBody + timestamp + secret, where app_id and timestamp are the
// body's own fields. The body is read raw (never re-serialised) and parsed with a parser
// that keeps integers beyond 2^53 exact, so ids survive even when sent as bare numbers.
import { createHash, timingSafeEqual } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
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

  router.post(ZALO_WEBHOOK_PATH, raw, async (req: Request, res: Response) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifyZaloDelivery(body, req.get(SIGNATURE_HEADER), deps);
    if (!verdict.ok) {
      deps.logger.warn({ reason: verdict.reason, ip: req.ip }, "Zalo webhook refused");
      res.status(401).json({ error: { code: "unauthorized", message: "Missing, wrong or stale signature" } });
      return;
    }
    const parsed = zaloEventSchema.safeParse(verdict.body);
    if (!parsed.success) {
      res.status(400).json({ error: { code: "bad_request", message: "Not a Zalo event", details: parsed.error.issues.slice(0, 5) } });
      return;
    }
    let outcome;
    try {
      outcome = await deps.processor.receive(parsed.data);
    } catch (err) {
      // Not stored (database unreachable): a non-2xx asks Zalo to deliver it again [U].
      deps.logger.error({ err, event: parsed.data.event_name }, "could not accept a Zalo event");
      res.status(500).json({ error: { code: "internal", message: "Could not store the event" } });
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
