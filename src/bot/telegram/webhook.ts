// POST /webhooks/telegram: authenticate by the secret token Telegram echoes in a header,
// validate, accept into the inbox, process, answer.
import { hash, timingSafeEqual } from "node:crypto";
import express, { type Request, type Response, type NextFunction, type Router } from "express";
import type { Update } from "grammy/types";
import { z } from "zod";
import { classifyError } from "../../api/errors.ts";
import { closeIfBodyUnread, readPlatformJson } from "../../api/json-body.ts";
import type { FailureLimit } from "../../api/rate-limit.ts";
import type { Logger } from "../../logger.ts";
import type { UpdateProcessor } from "./processor.ts";

export const WEBHOOK_PATH = "/webhooks/telegram";
export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/**
 * The minimum an update must have; the rest is Telegram's and grammY reads it (the update goes
 * on as parsed: a schema that copied every other field through would only cost time).
 */
const updateSchema = z.object({ update_id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) });

export interface TelegramWebhookDeps {
  secret: string;
  processor: UpdateProcessor;
  logger: Logger;
  /** Counts poison deliveries (metrics: webhook_poison_total). */
  onPoison?: (outcome: string) => void;
  /** Wrong secrets per client address (429 over the limit). */
  authLimit?: FailureLimit;
}

export function createTelegramWebhookRouter(deps: TelegramWebhookDeps): Router {
  const router = express.Router();
  const expected = digest(deps.secret);
  const raw = express.raw({ type: () => true, limit: "1mb" });

  // The secret is checked before the body is even read: an unauthenticated caller gets
  // 401 and causes no work and no storage.
  const authenticate = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (deps.authLimit && (await deps.authLimit.before(req, res))) return closeIfBodyUnread(req, res);
    const got = req.get(SECRET_HEADER);
    // Compare fixed-length digests so that neither the content nor the length leaks by timing.
    if (got === undefined || !timingSafeEqual(digest(got), expected)) {
      closeIfBodyUnread(req, res);
      try {
        if (deps.authLimit && (await deps.authLimit.onFailure(req, res))) return;
      } catch (err) {
        deps.logger.warn({ err }, "webhook failure limit unavailable");
      }
      res.status(401).json({ error: { code: "unauthorized", message: "Missing or wrong secret token" } });
      return;
    }
    next();
  };

  /**
   * A delivery from Telegram that cannot be used is acknowledged with 200 and counted: any
   * other answer makes Telegram redeliver it forever and hold back the bot's later updates.
   */
  const poison = (res: Response, outcome: string, detail: Record<string, unknown> = {}) => {
    deps.logger.warn({ outcome, ...detail }, "Telegram update rejected (acknowledged, not processed)");
    deps.onPoison?.(outcome);
    sendJson(res, 200, { ok: true, outcome: "rejected" });
  };

  router.post(WEBHOOK_PATH, authenticate, raw, async (req: Request, res: Response) => {
    const read = readPlatformJson(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    if (!read.ok) return poison(res, `rejected_${read.reason}`);
    const parsed = updateSchema.safeParse(read.value);
    if (!parsed.success) return poison(res, "rejected_invalid", { reason: "no integer update_id" });
    if (read.sanitised) {
      deps.logger.warn({ updateId: parsed.data.update_id }, "Telegram update held U+0000 or invalid UTF-8: stored with U+FFFD in their place");
      deps.onPoison?.("sanitised");
    }
    let outcome;
    try {
      outcome = await deps.processor.receive(read.value as Update, read.text);
    } catch (err) {
      const answer = classifyError(err);
      // The database refused the values themselves: retrying cannot help.
      if (answer && answer.status < 500) return poison(res, "rejected_unstorable", { updateId: parsed.data.update_id, code: answer.code });
      // Not even stored (database unreachable): a non-2xx makes Telegram deliver it again,
      // and Telegram is then the only place the update exists.
      deps.logger.error({ err, updateId: parsed.data.update_id }, "could not accept a Telegram update");
      if (answer?.retryAfter) res.setHeader("retry-after", String(answer.retryAfter));
      res.status(answer?.status ?? 500).json({ error: { code: answer?.code ?? "internal", message: "Could not store the update" } });
      return;
    }
    // A processing failure still answers 200. The update is safely in the inbox and
    // processPending retries it; a non-2xx would only make Telegram redeliver something we
    // would drop as a duplicate, while it holds back this bot's other updates and backs off.
    // A duplicate answers 200 too: Telegram must stop redelivering it.
    sendJson(res, 200, { ok: true, outcome });
  });

  return router;
}

/**
 * The JSON answer to Telegram, written directly: express's res.json would also compute an ETag
 * and check freshness, which mean nothing to a webhook caller.
 */
function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type("application/json; charset=utf-8").end(JSON.stringify(body));
}

function digest(value: string): Buffer {
  // One-shot: a Hash object per request cost more than the hashing.
  return hash("sha256", value, "buffer") as unknown as Buffer;
}
