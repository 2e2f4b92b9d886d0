// A running service on an ephemeral loopback port over a fresh test database.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createApp, type AppExtras } from "../../src/api/app.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { createContext, type AppContext } from "../../src/context.ts";
import { silentLogger } from "../../src/logger.ts";
import { createHttpServer } from "../../src/server.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

export const ADMIN_KEY = "test-admin-key-0123456789";

export interface TestService {
  url: string;
  ctx: AppContext;
  db: TestDatabase;
  config: Config;
  /** fetch against the service with the admin key unless another is given. */
  api(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestService(env: Record<string, string> = {}, extras: (ctx: AppContext) => AppExtras = () => ({})): Promise<TestService> {
  const config = loadConfig({ ADMIN_API_KEY: ADMIN_KEY, HASH_PEPPER: "test-pepper-0123456789abcdef", LOG_LEVEL: "silent", ...env });
  const db = await createTestDatabase();
  const ctx = await createContext(config, db, silentLogger);
  const app = createApp(ctx, extras(ctx));
  // The service's own HTTP server (its header and request timeouts), as src/server.ts makes it.
  const server: Server = createHttpServer(config, app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ctx,
    db,
    config,
    api(path, init = {}) {
      const { key = ADMIN_KEY, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set("authorization", `Bearer ${key}`);
      if (json !== undefined) headers.set("content-type", "application/json");
      return fetch(url + path, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
    async close() {
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
