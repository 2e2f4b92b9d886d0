// Starts the whole service, in one visible order: port, database and migrations, context, demo
// data, channels (each built once), modules (src/app/modules.ts), HTTP app, jobs and workers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, type AppExtras } from "../api/app.ts";
import type { Config } from "./config.ts";
import { createContext, type AppContext } from "./context.ts";
import { openDatabase } from "../db/database.ts";
import { DEMO_KEYS, seedDemoData } from "../demo/seed.ts";
import { createApiKey } from "../core/api-keys.ts";
import type { Logger } from "../logger.ts";
import { buildChannels, type ChannelOptions, type Channels } from "./channels.ts";
import { startJobs, type Module, type ModuleParts, type RunningJobs } from "./module.ts";
import { PortInUseError } from "./errors.ts";

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

export { PortInUseError, StartupRefusedError } from "./errors.ts";

/**
 * The HTTP server with timeouts a slow client cannot stretch: headers within
 * HTTP_HEADERS_TIMEOUT_MS, the whole request within HTTP_REQUEST_TIMEOUT_MS (both answered 408
 * and closed), idle keep-alive connections closed after HTTP_KEEP_ALIVE_TIMEOUT_MS. Node checks
 * the first two every connectionsCheckingInterval, so that is kept short.
 */
export function createHttpServer(
  http: Pick<Config["http"], "headersTimeoutMs" | "requestTimeoutMs" | "keepAliveTimeoutMs">,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const server = createServer(
    {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      keepAliveTimeout: http.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, http.headersTimeoutMs),
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
  const server = createHttpServer(config.http, (req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(err.code === "EADDRINUSE" || err.code === "EACCES" ? new PortInUseError(config.http.port, config.http.host) : err));
    server.listen(config.http.port, config.http.host, () => resolve());
  });
  return { server, serve: (app) => (handler = app) };
}

/** The modules assembled over one context and one set of channels: what createApp needs, and their start and stop. */
export interface ComposedModules {
  extras: Required<Pick<AppExtras, "routers" | "readinessChecks" | "routeModules">>;
  lines: string[];
  /** Starts the jobs and the modules' long-running work (once the app serves). */
  start(): void;
  /** Stops jobs, then modules in reverse order. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Builds every module's parts in order, attaches their status listeners to the context (once),
 * and collects routers, routes and readiness checks for the app.
 */
export async function composeModules(ctx: AppContext, channels: Channels, list: readonly Module[]): Promise<ComposedModules> {
  const parts: { name: string; p: ModuleParts }[] = [];
  for (const m of list) parts.push({ name: m.name, p: (await m.build(ctx, channels)) ?? {} });
  ctx.statusEvents.attach(parts.flatMap(({ p }) => p.statusListeners ?? []));
  const extras = {
    routers: parts.flatMap(({ p }) => p.routers ?? []),
    readinessChecks: parts.flatMap(({ p }) => p.readiness ?? []),
    routeModules: parts.flatMap(({ p }) => p.routes ?? []),
  };
  let jobs: RunningJobs | undefined;
  let stopping: Promise<void> | undefined;
  return {
    extras,
    lines: parts.flatMap(({ p }) => p.lines ?? []),
    start() {
      jobs = startJobs(
        parts.flatMap(({ p }) => p.jobs ?? []),
        { prisma: ctx.prisma, logger: ctx.logger },
      );
      for (const { p } of parts) p.start?.();
    },
    stop() {
      stopping ??= (async () => {
        await jobs?.stop();
        for (const { name, p } of [...parts].reverse()) await p.stop?.().catch((err: unknown) => ctx.logger.error({ err, module: name }, "stopping a module failed"));
      })();
      return stopping;
    },
  };
}

export interface StartServiceOptions {
  /** Channel overrides (tests: no replay timers). */
  channels?: ChannelOptions;
}

export async function startService(config: Config, logger: Logger, list: readonly Module[] = [], opts: StartServiceOptions = {}): Promise<RunningService> {
  // The port first: when it is taken, nothing (demo data, a demo key) is created for nothing.
  const held = await holdPort(config);
  let db;
  try {
    db = await openDatabase(
      config.database.kind === "server"
        ? { url: config.database.url }
        : { dataDir: config.database.dataDir, onVacuumError: (err) => logger.warn({ err }, "embedded database maintenance (VACUUM) failed; it runs again in a minute") },
    );
  } catch (err) {
    await new Promise<void>((r) => held.server.close(() => r()));
    throw err;
  }
  if (db.appliedMigrations.length) logger.info({ migrations: db.appliedMigrations }, "applied database migrations");
  const ctx = await createContext(config, db, logger);
  const demoAllowed = config.database.kind === "embedded" && config.demoData !== "off";
  const demoCodes = demoAllowed ? await seedDemoData(ctx) : [];
  if (demoCodes.length) logger.info({ dossiers: demoCodes.length }, "seeded demo data (embedded database was empty)");
  // A first look needs a key for the API and dashboard: make one, shown once, on the demo database.
  const demoAdminKey =
    demoCodes.length && !config.access.adminApiKey ? (await createApiKey(ctx.prisma, "admin", "demo admin (created by first npm start)", "system")).key : undefined;
  // One key per role, and a second staff key so that a broadcast's approval by another person can be tried.
  const demoKeys: RunningService["demoKeys"] = [];
  if (demoCodes.length)
    for (const k of DEMO_KEYS) demoKeys.push({ ...k, key: (await createApiKey(ctx.prisma, k.role, k.name, "system")).key });

  let channels: Channels;
  let composed: ComposedModules;
  try {
    channels = await buildChannels(ctx, opts.channels);
    composed = await composeModules(ctx, channels, list);
  } catch (err) {
    await new Promise<void>((r) => held.server.close(() => r()));
    await db.close();
    throw err;
  }
  const app = createApp(ctx, composed.extras);
  const server = held.server;
  held.serve(app);
  composed.start();
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.http.host === "0.0.0.0" || config.http.host === "::" ? "localhost" : config.http.host}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    ctx,
    demoCodes,
    demoAdminKey,
    demoKeys,
    lines: composed.lines,
    stop() {
      stopping ??= (async () => {
        await composed.stop();
        await channels.stop().catch((err: unknown) => logger.error({ err }, "stopping the channels failed"));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // In-flight requests get SHUTDOWN_TIMEOUT_MS to finish.
          setTimeout(() => {
            server.closeAllConnections();
            resolve();
          }, config.http.shutdownTimeoutMs).unref();
        });
        await db.close();
      })();
      return stopping;
    },
  };
}
