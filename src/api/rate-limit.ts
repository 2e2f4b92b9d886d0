// HTTP rate limits whose counters live in the database, so that several instances behind a load
// balancer share them (PostgreSQL; the embedded database runs the same statement). One fixed
// window per key, counted with one atomic upsert: INSERT … ON CONFLICT DO UPDATE … RETURNING.
// Used for failed API authentication per address, /try per address and per session, and wrong
// webhook secrets per address (README, "Configuration"). Once a key is over its limit, this
// instance remembers it until the window ends, so a blocked caller costs no database work.
import express, { type Request, type Response, type Router } from "express";
import { closeIfBodyUnread } from "./json-body.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface LimitRule {
  /** Name in keys, metrics and the 429 body: api_auth, try, webhook_auth. */
  name: string;
  /** Hits allowed per window; 0 turns the limit off. */
  max: number;
  windowMs: number;
}

export interface HitResult {
  /** Hits in the current window, this one included. */
  hits: number;
  limited: boolean;
  /** Seconds until the window ends (for Retry-After). */
  retryAfterS: number;
}

const LOCAL_BLOCKS_MAX = 10_000;

export class RateLimiter {
  /** key → end of its window, for keys known to be over their limit. */
  private blocked = new Map<string, number>();
  private sweepCountdown = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds left of a known block of this key on this instance, or 0. No database work. */
  blockedFor(rule: LimitRule, subject: string): number {
    const key = `${rule.name}:${subject}`;
    const until = this.blocked.get(key);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left <= 0) {
      this.blocked.delete(key);
      return 0;
    }
    return Math.ceil(left / 1000);
  }

  /** Count one hit of `subject` against the rule (atomically, across instances). */
  async hit(rule: LimitRule, subject: string): Promise<HitResult> {
    if (rule.max <= 0) return { hits: 0, limited: false, retryAfterS: 0 };
    const key = `${rule.name}:${subject.slice(0, 200)}`;
    const now = new Date(this.now());
    const expires = new Date(now.getTime() + rule.windowMs);
    const rows = await this.prisma.$queryRaw<{ hits: number; expiresAt: Date }[]>`
      INSERT INTO "RateLimitCounter" ("key", "hits", "expiresAt") VALUES (${key}, 1, ${expires})
      ON CONFLICT ("key") DO UPDATE SET
        "hits" = CASE WHEN "RateLimitCounter"."expiresAt" <= ${now} THEN 1 ELSE "RateLimitCounter"."hits" + 1 END,
        "expiresAt" = CASE WHEN "RateLimitCounter"."expiresAt" <= ${now} THEN ${expires} ELSE "RateLimitCounter"."expiresAt" END
      RETURNING "hits", "expiresAt"`;
    const row = rows[0]!;
    const until = new Date(row.expiresAt).getTime();
    const hits = Number(row.hits);
    const limited = hits > rule.max;
    if (limited) this.remember(key, until);
    if (--this.sweepCountdown <= 0) {
      this.sweepCountdown = 500;
      await this.prisma.rateLimitCounter.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 60_000) } } }).catch(() => {});
    }
    return { hits, limited, retryAfterS: Math.max(1, Math.ceil((until - now.getTime()) / 1000)) };
  }

  private remember(key: string, until: number): void {
    if (this.blocked.size >= LOCAL_BLOCKS_MAX) {
      const now = this.now();
      for (const [k, u] of this.blocked) if (u <= now) this.blocked.delete(k);
      if (this.blocked.size >= LOCAL_BLOCKS_MAX) this.blocked.clear();
    }
    this.blocked.set(key, until);
  }
}

/** The 429 answer. */
export function sendTooManyRequests(res: Response, rule: LimitRule, retryAfterS: number): void {
  res
    .status(429)
    .set("retry-after", String(retryAfterS))
    .json({ error: { code: "rate_limited", message: `Too many requests (${rule.name}); retry after ${retryAfterS} s`, details: { limit: rule.name, retryAfter: retryAfterS } } });
}

/** The caller's address as express sees it (TRUST_PROXY decides whether X-Forwarded-For counts). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "unknown";
}

export interface FailureLimit {
  /** Before authenticating: answers 429 (true) while the address is known to be over the limit. */
  before(req: Request, res: Response): Promise<boolean>;
  /** After a failed authentication: counts it; answers 429 (true) when over the limit. */
  onFailure(req: Request, res: Response): Promise<boolean>;
}

const MINUTE = 60_000;

/** The limits of the service, from its configuration. */
export function limitRules(config: { readonly rateLimits: { readonly authFailures: number; readonly try: number; readonly webhookFailures: number } }): Record<"apiAuth" | "try" | "webhookAuth", LimitRule> {
  return {
    apiAuth: { name: "api_auth", max: config.rateLimits.authFailures, windowMs: MINUTE },
    try: { name: "try", max: config.rateLimits.try, windowMs: MINUTE },
    webhookAuth: { name: "webhook_auth", max: config.rateLimits.webhookFailures, windowMs: MINUTE },
  };
}

/** A limit on failed authentications per client address. */
export function failureLimit(limiter: RateLimiter, rule: LimitRule, onLimited?: () => void): FailureLimit {
  return {
    async before(req, res) {
      if (rule.max <= 0) return false;
      const left = limiter.blockedFor(rule, clientAddress(req));
      if (!left) return false;
      onLimited?.();
      sendTooManyRequests(res, rule, left);
      return true;
    },
    async onFailure(req, res) {
      if (rule.max <= 0) return false;
      const r = await limiter.hit(rule, clientAddress(req));
      if (!r.limited) return false;
      onLimited?.();
      sendTooManyRequests(res, rule, r.retryAfterS);
      return true;
    },
  };
}

/** Every request to the given POST paths counts against the rule, per client address (the /try chat). */
export function requestLimit(limiter: RateLimiter, rule: LimitRule, paths: string[], onLimited?: () => void): Router {
  const router = express.Router();
  router.post(paths, async (req, res, next) => {
    try {
      if (rule.max <= 0) return next();
      const left = limiter.blockedFor(rule, clientAddress(req));
      const r = left ? { limited: true, retryAfterS: left } : await limiter.hit(rule, clientAddress(req));
      if (!r.limited) return next();
      onLimited?.();
      closeIfBodyUnread(req, res);
      sendTooManyRequests(res, rule, r.retryAfterS);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
