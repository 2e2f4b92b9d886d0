// Starts the whole service: database, migrations, demo data, HTTP, channels, background work.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, type AppExtras } from "./api/app.ts";
import type { Config } from "./config.ts";
import { createContext, type AppContext } from "./context.ts";
import { openDatabase } from "./db/database.ts";
import { DEMO_KEYS, seedDemoData } from "./demo/seed.ts";
import { createApiKey } from "./core/api-keys.ts";
import type { Logger } from "./logger.ts";

export interface RunningService {
  url: string;
  ctx: AppContext;
  /** What features want printed at start-up (URLs, modes). */
  lines: string[];
  demoCodes: string[];
  /** Admin key created on the first start with demo data and no ADMIN_API_KEY (shown once). */
  demoAdminKey?: string | undefined;
  /** Keys of the other demo roles (staff, a second staff member who approves broadcasts, analyst), shown once. */
  demoKeys: { role: string; name: string; key: string }[];
  /** Idempotent graceful stop: stop taking requests, finish in-flight ones, close the DB. */
  stop(): Promise<void>;
}

/** Channel and feature modules plug in here (Telegram, Zalo, try page, workers). */
export interface Feature {
  name: string;
  start(ctx: AppContext, extras: Required<Pick<AppExtras, "routers" | "readinessChecks" | "routeModules">>): Promise<{ stop?: () => Promise<void>; lines?: string[] } | void>;
}

/** The port is taken by another process: nothing has been created, one line says so. */
/** Start-up refused for a reason the operator can act on: printed as one line, exit 1. */
export class StartupRefusedError extends Error {}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(`Port ${port} on ${host} is already in use by another process: stop it, or start with PORT=<a free port>.`);
  }
}

/**
 * The HTTP server with timeouts a slow client cannot stretch: headers within
 * HTTP_HEADERS_TIMEOUT_MS, the whole request within HTTP_REQUEST_TIMEOUT_MS (both answered 408
 * and closed), idle keep-alive connections closed after HTTP_KEEP_ALIVE_TIMEOUT_MS. Node checks
 * the first two every connectionsCheckingInterval, so that is kept short.
 */
export function createHttpServer(
  config: Pick<Config, "HTTP_HEADERS_TIMEOUT_MS" | "HTTP_REQUEST_TIMEOUT_MS" | "HTTP_KEEP_ALIVE_TIMEOUT_MS">,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const server = createServer(
    {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(1_000, config.HTTP_HEADERS_TIMEOUT_MS),
    },
    handler,
  );
  return server;
}

/** Holds the port before anything else happens, answering 503 "starting" until the app is ready. */
async function holdPort(config: Config): Promise<{ server: Server; serve(app: (req: IncomingMessage, res: ServerResponse) => void): void }> {
  let handler = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(503, { "content-type": "application/json", "retry-after": "5" });
    res.end(JSON.stringify({ error: { code: "starting", message: "The service is starting; try again in a few seconds" } }));
  };
  const server = createHttpServer(config, (req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(err.code === "EADDRINUSE" || err.code === "EACCES" ? new PortInUseError(config.PORT, config.HOST) : err));
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  return { server, serve: (app) => (handler = app) };
}

export async function startService(config: Config, logger: Logger, features: Feature[] = []): Promise<RunningService> {
  // The port first: when it is taken, nothing (demo data, a demo key) is created for nothing.
  const held = await holdPort(config);
  let db;
  try {
    db = await openDatabase(config.database.kind === "server" ? { url: config.database.url } : { dataDir: config.database.dataDir });
  } catch (err) {
    await new Promise<void>((r) => held.server.close(() => r()));
    throw err;
  }
  if (db.appliedMigrations.length) logger.info({ migrations: db.appliedMigrations }, "applied database migrations");
  const ctx = await createContext(config, db, logger);
  const demoAllowed = config.database.kind === "embedded" && config.DEMO_DATA !== "off";
  const demoCodes = demoAllowed ? await seedDemoData(ctx) : [];
  if (demoCodes.length) logger.info({ dossiers: demoCodes.length }, "seeded demo data (embedded database was empty)");
  // A first look needs a key for the API and dashboard: make one, shown once, on the demo database.
  const demoAdminKey =
    demoCodes.length && !config.ADMIN_API_KEY ? (await createApiKey(ctx.prisma, "admin", "demo admin (created by first npm start)", "system")).key : undefined;
  // One key per role, and a second staff key so that a broadcast's approval by another person can be tried.
  const demoKeys: RunningService["demoKeys"] = [];
  if (demoCodes.length)
    for (const k of DEMO_KEYS) demoKeys.push({ ...k, key: (await createApiKey(ctx.prisma, k.role, k.name, "system")).key });

  const extras = { routers: [], readinessChecks: [], routeModules: [] } as Required<Pick<AppExtras, "routers" | "readinessChecks" | "routeModules">>;
  const stops: (() => Promise<void>)[] = [];
  const lines: string[] = [];
  for (const f of features) {
    const started = await f.start(ctx, extras);
    if (started?.stop) stops.push(started.stop);
    if (started?.lines) lines.push(...started.lines);
  }
  const app = createApp(ctx, extras);
  const server = held.server;
  held.serve(app);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    ctx,
    demoCodes,
    demoAdminKey,
    demoKeys,
    lines,
    stop() {
      stopping ??= (async () => {
        for (const s of stops.reverse()) await s().catch((err) => logger.error({ err }, "stopping a feature failed"));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // In-flight requests get SHUTDOWN_TIMEOUT_MS to finish.
          setTimeout(() => {
            server.closeAllConnections();
            resolve();
          }, config.SHUTDOWN_TIMEOUT_MS).unref();
        });
        await db.close();
      })();
      return stopping;
    },
  };
}
