// express application: health, REST API under /api/v1, OpenAPI, channel webhooks, pages.
import { timingSafeEqual } from "node:crypto";
import express, { type ErrorRequestHandler, type Request, type Router } from "express";
import helmet from "helmet";
import type { AppContext } from "../app/context.ts";
import { accessLog } from "./access-log.ts";
import { fixedHeaders } from "./security-headers.ts";
import { classifyError, OUTAGE_RETRY_AFTER_S } from "./errors.ts";
import { failureLimit, limitRules } from "./rate-limit.ts";
import { ApiRoutes, openApiDocument, sendError } from "./http.ts";
import { adminRoutes } from "./routes/admin.ts";
import { dossierRoutes } from "./routes/dossiers.ts";
import { importRoutes } from "./routes/import.ts";
import { understandingRoutes } from "./routes/understanding.ts";
import { meRoutes } from "./routes/me.ts";
import { dossierListRoutes } from "./routes/dossier-list.ts";
import { createLandingRouter } from "./pages/landing.ts";

export interface AppExtras {
  /** Routers mounted before the API (channel webhooks, pages). */
  routers?: Router[];
  /** Extra readiness checks, e.g. a channel token refresh failing. */
  readinessChecks?: (() => Promise<{ name: string; ok: boolean; detail?: string }>)[];
  /** Route modules added by later features. */
  routeModules?: ((api: ApiRoutes, ctx: AppContext) => void)[];
}

export function createApp(ctx: AppContext, extras: AppExtras = {}): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Only X-Forwarded-For set by a trusted proxy counts (rate limits are per client address).
  app.set("trust proxy", ctx.config.http.trustProxy === "true" ? true : ctx.config.http.trustProxy === "false" ? false : ctx.config.http.trustProxy.split(",").map((s) => s.trim()));
  app.set("query parser", "extended");

  // A request id on every request and one access-log line per request (src/api/access-log.ts).
  app.use(accessLog(ctx.logger, { ignore: (req) => req.url === "/healthz" || req.url === "/metrics" }));
  // Security headers on every response (helmet): a CSP that allows nothing (pages set their own,
  // allowing exactly their inline blocks by hash, src/api/pages/csp.ts), no framing, nosniff,
  // no referrer; HSTS only when HSTS_MAX_AGE is set (behind TLS). Worked out once (security-headers.ts).
  app.use(
    fixedHeaders(helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] } },
      strictTransportSecurity: ctx.config.http.hstsMaxAge > 0 ? { maxAge: ctx.config.http.hstsMaxAge, includeSubDomains: true } : false,
      referrerPolicy: { policy: "no-referrer" },
      xFrameOptions: { action: "deny" },
    })),
  );
  // Open data is meant to be fetched from other sites (it sends Access-Control-Allow-Origin: *).
  app.use("/open-data", (_req, res, next) => {
    res.setHeader("cross-origin-resource-policy", "cross-origin");
    next();
  });
  // Latency by route pattern (never the raw URL: codes and ids would explode the series).
  app.use((req, res, next) => {
    const end = ctx.metrics.httpRequests.startTimer({ method: req.method });
    res.on("finish", () => {
      // After an error the request has left its router (baseUrl is reset): the API's mount point is known.
      const base = req.baseUrl || (req.originalUrl.startsWith("/api/v1/") ? "/api/v1" : "");
      const route = req.route ? `${base}${String(req.route.path)}` : res.statusCode === 404 ? "unmatched" : "other";
      end({ route, status: String(res.statusCode) });
    });
    next();
  });
  app.get("/metrics", async (req, res) => {
    const token = ctx.config.access.metricsToken;
    if (!token) return sendError(res, 404, "not_found", "Metrics are off: set METRICS_TOKEN and scrape with Authorization: Bearer <token>");
    const given = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1] ?? "";
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return sendError(res, 401, "unauthorized", "Metrics need Authorization: Bearer <METRICS_TOKEN>");
    res.set("content-type", ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  app.use(createLandingRouter());
  app.get("/healthz", (_req, res) => {
    res.json({ ok: true });
  });
  // Unauthenticated callers (load balancers) learn only ready or not; the checks and their
  // details (database kind, channel errors) need the admin key: /readyz?details=1.
  app.get("/readyz", async (req, res) => {
    const checks: { name: string; ok: boolean; detail?: string }[] = [{ name: "database", ok: await ctx.db.ready(), detail: ctx.db.kind }];
    for (const check of extras.readinessChecks ?? []) checks.push(await check().catch(() => ({ name: "check", ok: false })));
    const ready = checks.every((c) => c.ok);
    res.status(ready ? 200 : 503).set("cache-control", "no-store");
    if (!ready) res.set("retry-after", String(OUTAGE_RETRY_AFTER_S));
    if (req.query.details !== undefined && (await isAdmin(req))) return void res.json({ ready, checks });
    res.json({ ready });
  });
  const isAdmin = async (req: Request): Promise<boolean> => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "");
    if (!m) return false;
    // During an outage only the bootstrap key (compared without the database) can be checked.
    const principal = await ctx.auth.authenticate(m[1]!).catch(() => null);
    return principal?.role === "admin";
  };

  for (const r of extras.routers ?? []) app.use(r);

  const api = new ApiRoutes();
  // Before GET /dossiers/{code}: /dossiers/at-risk must not be taken for a code.
  dossierListRoutes(api, ctx);
  dossierRoutes(api, ctx);
  importRoutes(api, ctx);
  adminRoutes(api, ctx);
  understandingRoutes(api, ctx);
  meRoutes(api, ctx);
  for (const m of extras.routeModules ?? []) m(api, ctx);

  // No body parser here: each route reads its body after the key is checked (ApiRoutes.mount).
  const v1 = express.Router();
  const doc = openApiDocument(api.routes, { title: "Dossier status & feedback bot API", version: "1" });
  v1.get("/openapi.json", (_req, res) => {
    res.json(doc);
  });
  const rules = limitRules(ctx.config);
  const authLimit = failureLimit(ctx.rateLimiter, rules.apiAuth, () => ctx.metrics.httpRateLimited.inc({ limit: rules.apiAuth.name }));
  api.mount(v1, {
    before: authLimit.before,
    onFailure: authLimit.onFailure,
    authenticate: (req: Request) => {
      const m = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "");
      return m ? ctx.auth.authenticate(m[1]!) : Promise.resolve(null);
    },
  });
  v1.use((req, res) => sendError(res, 404, "not_found", `No route ${req.method} /api/v1${req.path}`));
  app.use("/api/v1", v1);

  // Unmatched paths outside the API: a JSON 404 with the same headers (not express's HTML page).
  app.use((req, res) => sendError(res, 404, "not_found", `No route ${req.method} ${req.path}`));

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const answer = classifyError(err);
    if (answer) {
      if (answer.retryAfter) res.setHeader("retry-after", String(answer.retryAfter));
      if (answer.status >= 500) ctx.logger.warn({ err, path: req.path }, "database unavailable");
      return sendError(res, answer.status, answer.code, answer.message, answer.details);
    }
    ctx.logger.error({ err, path: req.path }, "unhandled error");
    sendError(res, 500, "internal", "Internal error");
  };
  app.use(onError);
  return app;
}
