// A running service on an ephemeral loopback port over a fresh test database.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createApp, type AppExtras } from "../../src/api/app.ts";
import { loadConfig, type Config } from "../../src/app/config.ts";
import { createContext, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/logger.ts";
import { composeModules, createHttpServer, type ComposedModules } from "../../src/app/service.ts";
import { buildChannels, type ChannelOptions, type Channels } from "../../src/app/channels.ts";
import type { Module } from "../../src/app/module.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

export const ADMIN_KEY = "test-admin-key-0123456789";

export interface TestService {
  url: string;
  ctx: AppContext;
  db: TestDatabase;
  config: Config;
  /** With `modules`: the channels built for them, and what the modules print at start-up. */
  channels?: Channels;
  lines: string[];
  /** fetch against the service with the admin key unless another is given. */
  api(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  /** Modules assembled as src/app/service.ts does, over channels built once (no replay or token timers unless `channels` says so). */
  modules?: Module[];
  channels?: ChannelOptions;
}

export async function startTestService(
  env: Record<string, string> = {},
  extras: (ctx: AppContext) => AppExtras = () => ({}),
  opts: TestServiceOptions = {},
): Promise<TestService> {
  const config = loadConfig({ ADMIN_API_KEY: ADMIN_KEY, HASH_PEPPER: "test-pepper-0123456789abcdef", LOG_LEVEL: "silent", ...env });
  const db = await createTestDatabase();
  const ctx = await createContext(config, db, silentLogger);
  let channels: Channels | undefined;
  let composed: ComposedModules | undefined;
  if (opts.modules) {
    channels = await buildChannels(ctx, {
      ...opts.channels,
      telegram: { replayIntervalMs: 0, ...opts.channels?.telegram },
      zalo: { replayIntervalMs: 0, tokenCheckIntervalMs: 0, ...opts.channels?.zalo },
    });
    composed = await composeModules(ctx, channels, opts.modules);
  }
  const own = extras(ctx);
  const app = createApp(ctx, {
    routers: [...(own.routers ?? []), ...(composed?.extras.routers ?? [])],
    readinessChecks: [...(own.readinessChecks ?? []), ...(composed?.extras.readinessChecks ?? [])],
    routeModules: [...(own.routeModules ?? []), ...(composed?.extras.routeModules ?? [])],
  });
  composed?.start();
  // The service's own HTTP server (its header and request timeouts), as src/server.ts makes it.
  const server: Server = createHttpServer(config.http, app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ctx,
    db,
    config,
    ...(channels ? { channels } : {}),
    lines: composed?.lines ?? [],
    api(path, init = {}) {
      const { key = ADMIN_KEY, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set("authorization", `Bearer ${key}`);
      if (json !== undefined) headers.set("content-type", "application/json");
      return fetch(url + path, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
    async close() {
      await composed?.stop();
      await channels?.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await db.close();
    },
  };
}

/** The sync-contract body of ../shared/SPEC.md, with overrides. */
export function specDossier(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    unitCode: "000.00.15.H32",
    unitName: "UBND phường Cam Lộc",
    fieldCode: "DD",
    fieldName: "Đất đai",
    procedureCode: "1.004227",
    procedureName: "Đăng ký biến động quyền sử dụng đất",
    procedureDurationDays: 10,
    applicant: { name: "Nguyễn Văn A", phone: "0905123456", idNumber: "056089001234" },
    receivedAt: "2023-01-12T09:00:00+07:00",
    appointmentAt: "2023-02-02T09:00:00+07:00",
    status: 4,
    returnMethod: "counter",
    currentStep: "Thẩm định hồ sơ",
    ...over,
  };
}
