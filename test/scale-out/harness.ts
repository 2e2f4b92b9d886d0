// Several service instances on one PostgreSQL, as a province would run them: each a real
// `src/app/main.ts` process on its own loopback port, all against one fake Bot API that enforces
// Telegram's limits for the bot as a whole (a token bucket of `rate` messages/s with one
// second's burst, 1 message/s per chat, 429 with retry_after beyond). Used by the scale-out
// test (small) and bench/scale-out.ts (3,000 recipients, webhook spread over 1–3 instances).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { build } from "../../scripts/build.mjs";

export const TOKEN = "123456789:AAFakeTokenForScaleOutTests_abcdefgh";
export const WEBHOOK_SECRET = "scale-out-secret";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ThrottledTelegram {
  apiRoot: string;
  /** Accepted sendMessage calls in arrival order. */
  ok: { chat: string; at: number; text: string }[];
  /** Calls answered 429. */
  limited: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startThrottledTelegram(opts: { rate?: number; chatRate?: number } = {}): Promise<ThrottledTelegram> {
  const rate = opts.rate ?? 30;
  const chatRate = opts.chatRate ?? 1;
  let tokens = rate;
  let last = performance.now();
  const chatNext = new Map<string, number>();
  const state = { ok: [] as ThrottledTelegram["ok"], limited: 0 };
  let nextId = 1;
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const method = req.url?.split("/").pop() ?? "";
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        /* urlencoded or empty: not used by these tests */
      }
      if (method === "getMe")
        return answer(res, 200, { ok: true, result: { id: 123456789, is_bot: true, first_name: "Bot", username: "hoso_scale_bot" } });
      if (method === "getUpdates") return void setTimeout(() => answer(res, 200, { ok: true, result: [] }), 300);
      if (method !== "sendMessage") return answer(res, 200, { ok: true, result: true });
      const chat = String(body.chat_id);
      const now = performance.now();
      tokens = Math.min(rate, tokens + ((now - last) * rate) / 1000);
      last = now;
      const chatAt = chatNext.get(chat) ?? 0;
      const tooMany = (waitMs: number) => {
        state.limited++;
        const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
        answer(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } });
      };
      if (chatAt > now) return tooMany(chatAt - now);
      if (tokens < 1) return tooMany(((1 - tokens) * 1000) / rate);
      tokens -= 1;
      chatNext.set(chat, now + 1000 / chatRate);
      state.ok.push({ chat, at: now, text: String(body.text ?? "") });
      answer(res, 200, { ok: true, result: { message_id: nextId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(chat), type: "private" }, text: body.text } });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    get ok() {
      return state.ok;
    },
    get limited() {
      return state.limited;
    },
    reset() {
      state.ok = [];
      state.limited = 0;
      chatNext.clear();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  } as ThrottledTelegram;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Instance {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

let built: Promise<number> | undefined;

/** Starts the service as `npm start` runs it (built, dist/src/app/main.js) against `databaseUrl`; resolves once /readyz answers 200. */
export async function startInstance(name: string, databaseUrl: string, apiRoot: string, extraEnv: Record<string, string> = {}): Promise<Instance> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    DEMO_DATA: "off",
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_API_ROOT: apiRoot,
    DELIVERY_WORKER_ID: name,
    DELIVERY_CLAIM_MS: "4000",
    QUIET_HOURS: "off",
    ADMIN_API_KEY: "scale-out-admin-key-0123456789",
    HASH_PEPPER: "scale-out-pepper-0123456789",
    ...(process.env.INTENT_MODEL_CACHE ? { INTENT_MODEL_CACHE: process.env.INTENT_MODEL_CACHE } : {}),
    ...extraEnv,
  };
  built ??= build();
  await built;
  const child = spawn(process.execPath, ["dist/src/app/main.js"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  child.stderr!.on("data", (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance ${name} exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`instance ${name} not ready after 90 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { name, port, url, child, output: () => out, exited };
}

export async function stopInstance(i: Instance): Promise<void> {
  if (i.child.exitCode !== null || i.child.signalCode !== null) return;
  i.child.kill("SIGTERM");
  const t = setTimeout(() => i.child.kill("SIGKILL"), 15_000);
  await i.exited;
  clearTimeout(t);
}

// ------------------------------------------------------------------ one broadcast, several instances

import { BroadcastService } from "../../src/core/broadcasts/service.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { createLogger } from "../../src/logger.ts";

/** n citizens, each with one consenting Telegram account linked to one dossier of `unitCode`. */
export async function seedRecipients(prisma: PrismaClient, n: number, unitCode: string, firstChat: number): Promise<void> {
  const unit = await prisma.unit.create({ data: { code: unitCode, name: `UBND phường ${unitCode}` } });
  const proc = await prisma.procedure.upsert({ where: { code: "1.004227" }, create: { code: "1.004227", name: "Đăng ký biến động quyền sử dụng đất" }, update: {} });
  for (let off = 0; off < n; off += 1000) {
    const idx = Array.from({ length: Math.min(1000, n - off) }, (_, i) => off + i);
    const codes = idx.map((i) => `${unitCode}-2603${String(2 + Math.floor(i / 9999)).padStart(2, "0")}-${String((i % 9999) + 1).padStart(4, "0")}`);
    await prisma.dossier.createMany({
      data: codes.map((code) => ({
        code,
        unitId: unit.id,
        procedureId: proc.id,
        applicantName: "Nguyễn Văn A",
        receivedAt: new Date("2026-03-02T02:00:00Z"),
        appointmentAt: new Date("2026-03-16T02:00:00Z"),
        status: 9,
        statusAt: new Date(),
      })),
    });
    const dossiers = await prisma.dossier.findMany({ where: { code: { in: codes } }, select: { id: true }, orderBy: { id: "asc" } });
    const citizens = await prisma.citizen.createManyAndReturn({ data: idx.map(() => ({ language: "vi" })), select: { id: true } });
    await prisma.channelAccount.createMany({
      data: citizens.map((c, i) => ({ channel: "telegram" as const, platformUserId: String(firstChat + off + i), citizenId: c.id, consentAt: new Date() })),
    });
    await prisma.dossierLink.createMany({
      data: citizens.map((c, i) => ({ citizenId: c.id, dossierId: dossiers[i]!.id, verifiedBy: "staff" as const, consentAt: new Date() })),
    });
  }
}

export interface BroadcastRun {
  recipients: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Messages the killed instance had claimed and not finished when it was killed. */
  inFlightAtKill: number;
  limited: number;
  /** Accepted messages per second between the first and the last accepted one. */
  rate: number;
  seconds: number;
  killed: string | null;
}

/**
 * Sends one broadcast to `recipients` citizens through the running `instances`; when
 * `killAt` (fraction of the recipients delivered) is given, SIGKILLs the second instance there.
 */
export async function broadcastAcross(opts: {
  prisma: PrismaClient;
  fake: ThrottledTelegram;
  instances: Instance[];
  recipients: number;
  unitCode: string;
  killAt?: number;
  timeoutMs?: number;
}): Promise<BroadcastRun> {
  const { prisma, fake } = opts;
  fake.reset();
  const service = new BroadcastService({ prisma, logger: createLogger("silent"), approvalThreshold: 1_000_000, quietHours: null, channels: ["telegram"] });
  const created = await service.create(
    { text: "Thông báo: Bộ phận Một cửa nghỉ chiều thứ Sáu để bảo trì hệ thống ({code}).", audience: { unitCodes: [opts.unitCode] }, urgent: false, dryRun: false },
    "scale-out",
  );
  if (created.dryRun) throw new Error("expected a real broadcast");
  const id = created.broadcast.id;
  let killed: Instance | null = null;
  let inFlightAtKill = 0;
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  for (;;) {
    if (opts.killAt !== undefined && !killed && fake.ok.length >= opts.recipients * opts.killAt && opts.instances.length > 1) {
      killed = opts.instances[1]!;
      killed.child.kill("SIGKILL");
      await killed.exited;
      const [row] = await prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM "OutboundMessage" WHERE "lockedBy" = ${killed.name} AND state = 'sending'`;
      inFlightAtKill = row?.n ?? 0;
    }
    const [left] = await prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM "OutboundMessage" WHERE "broadcastId" = ${id} AND state IN ('queued', 'sending')`;
    if ((left?.n ?? 1) === 0) break;
    if (Date.now() > deadline) throw new Error(`broadcast not finished: ${left?.n} messages left, ${fake.ok.length} delivered`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const perChat = new Map<string, number>();
  for (const m of fake.ok) perChat.set(m.chat, (perChat.get(m.chat) ?? 0) + 1);
  const delivered = perChat.size;
  const duplicates = [...perChat.values()].reduce((s, n) => s + n - 1, 0);
  const first = fake.ok[0]?.at ?? 0;
  const last = fake.ok.at(-1)?.at ?? 0;
  const seconds = (last - first) / 1000;
  return {
    recipients: opts.recipients,
    delivered,
    lost: opts.recipients - delivered,
    duplicates,
    inFlightAtKill,
    limited: fake.limited,
    rate: seconds > 0 ? (fake.ok.length - 1) / seconds : 0,
    seconds,
    killed: killed?.name ?? null,
  };
}
