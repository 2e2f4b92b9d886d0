// The wrong-secret limit both webhooks share (per client address; README, "Configuration").
import { failureLimit, limitRules, type FailureLimit } from "../api/rate-limit.ts";
import type { AppContext } from "../app/context.ts";

export function webhookAuthLimit(ctx: AppContext): FailureLimit {
  const rule = limitRules(ctx.config).webhookAuth;
  return failureLimit(ctx.rateLimiter, rule, () => ctx.metrics.httpRateLimited.inc({ limit: rule.name }));
}
