// POST /webhooks/telegram: authenticate by the secret token Telegram echoes in a header,
// validate, accept into the inbox, process, answer.
import { createHash, timingSafeEqual } from "node:crypto";
import express, { type Request, type Response, type NextFunction, type Router } from "express";
import type { Update } from "grammy/types";
import { z } from "zod";
import type { Logger } from "../../logger.ts";
import type { UpdateProcessor } from "./processor.ts";

export const WEBHOOK_PATH = "/webhooks/telegram";
export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/** The minimum an update must have; the rest is Telegram's and grammY reads it. */
const updateSchema = z.looseObject({ update_id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) });

export function createTelegramWebhookRouter(deps: { secret: string; processor: UpdateProcessor; logger: Logger }): Router {
  const router = express.Router();
  const expected = digest(deps.secret);
  const json = express.json({ limit: "1mb" });

  // The secret is checked before the body is even parsed: an unauthenticated caller gets
  // 401 and causes no work and no storage.
  const authenticate = (req: Request, res: Response, next: NextFunction): void => {
    const got = req.get(SECRET_HEADER);
    // Compare fixed-length digests so that neither the content nor the length leaks by timing.
    if (got === undefined || !timingSafeEqual(digest(got), expected)) {
      res.status(401).json({ error: { code: "unauthorized", message: "Missing or wrong secret token" } });
      return;
    }
    next();
  };

  const parse = (req: Request, res: Response, next: NextFunction): void => {
    json(req, res, (err?: unknown) => {
      if (err) {
        res.status(400).json({ error: { code: "bad_request", message: "The body is not valid JSON" } });
        return;
      }
      next();
    });
  };

  router.post(WEBHOOK_PATH, authenticate, parse, async (req: Request, res: Response) => {
    const parsed = updateSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: { code: "bad_request", message: "Not a Telegram update (an integer update_id is required)" } });
      return;
    }
    let outcome;
    try {
      outcome = await deps.processor.receive(parsed.data as unknown as Update);
    } catch (err) {
      // Not even stored (database unreachable): a non-2xx makes Telegram deliver it again,
      // and Telegram is then the only place the update exists.
      deps.logger.error({ err, updateId: parsed.data.update_id }, "could not accept a Telegram update");
      res.status(500).json({ error: { code: "internal", message: "Could not store the update" } });
      return;
    }
    // A processing failure still answers 200. The update is safely in the inbox and
    // processPending retries it; a non-2xx would only make Telegram redeliver something we
    // would drop as a duplicate, while it holds back this bot's other updates and backs off.
    // A duplicate answers 200 too: Telegram must stop redelivering it.
    res.status(200).json({ ok: true, outcome });
  });

  return router;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
