// A fake Telegram Bot API on loopback: real HTTP, the same paths (/bot<token>/<method>),
// JSON / urlencoded / multipart bodies, Telegram-shaped answers and errors. It records every
// call so tests can assert what the bot sent, and can be told to fail the next calls.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update, UserFromGetMe } from "grammy/types";

export const FAKE_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghij";
export const BOT_USER: UserFromGetMe = {
  id: 123456789,
  is_bot: true,
  first_name: "Hồ sơ Bot",
  username: "hoso_test_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
  /** HTTP status the fake answered with. */
  status: number;
}

export type FailureKind = "429" | "403" | "500" | "400";

interface Failure {
  kind: FailureKind;
  /** Only calls of this method fail (others pass through); all methods when absent. */
  method?: string;
  retryAfter?: number;
  description?: string;
}

export interface FakeTelegram {
  /** Value for TELEGRAM_API_ROOT. */
  apiRoot: string;
  token: string;
  calls: RecordedCall[];
  /** Calls of one method, optionally only those to one chat. */
  sent(method?: string, chatId?: number): RecordedCall[];
  /** Texts of the sendMessage calls (to one chat). */
  texts(chatId?: number): string[];
  /** The next `count` calls (of `method`, if given) fail with `kind`. */
  failNext(count: number, kind: FailureKind, opts?: { method?: string; retryAfter?: number; description?: string }): void;
  /** Updates handed out by getUpdates (long polling tests). */
  queueUpdates(...updates: Update[]): void;
  /**
   * A file the bot can fetch: getFile answers its path and size, GET /file/bot<token>/<path>
   * serves the bytes (what a citizen's photo or document is on Telegram's side).
   */
  addFile(bytes: Uint8Array, o?: { announcedSize?: number | null }): { file_id: string; file_unique_id: string; file_size?: number };
  /** File downloads served so far (paths). */
  downloads: string[];
  /** Wait until `predicate(calls)` holds, polling every 10 ms. */
  waitFor(predicate: (calls: RecordedCall[]) => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeTelegramOptions {
  token?: string;
  /** Skip recording bodies (benchmarks); counts are still kept. */
  record?: boolean;
}

export async function startFakeTelegram(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = opts.token ?? FAKE_TOKEN;
  const record = opts.record ?? true;
  const calls: RecordedCall[] = [];
  const failures: Failure[] = [];
  const updates: Update[] = [];
  let nextMessageId = 1000;
  let webhook: { url: string; secret_token?: string; allowed_updates?: string[] } | null = null;
  const files = new Map<string, { bytes: Uint8Array; path: string; uniqueId: string; announcedSize: number | null }>();
  const downloads: string[] = [];
  let nextFile = 1;

  function answer(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  function takeFailure(method: string): Failure | undefined {
    const i = failures.findIndex((f) => !f.method || f.method === method);
    return i < 0 ? undefined : failures.splice(i, 1)[0];
  }

  function result(method: string, body: Record<string, unknown>): { ok: true; result: unknown } | { ok: false; error_code: number; description: string } {
    const now = Math.floor(Date.now() / 1000);
    switch (method) {
      case "getMe":
        return { ok: true, result: BOT_USER };
      case "sendMessage": {
        const chatId = Number(body.chat_id);
        if (!Number.isFinite(chatId)) return { ok: false, error_code: 400, description: "Bad Request: chat not found" };
        if (typeof body.text !== "string" || body.text.length === 0) return { ok: false, error_code: 400, description: "Bad Request: message text is empty" };
        if (body.text.length > 4096) return { ok: false, error_code: 400, description: "Bad Request: message is too long" };
        const markup = parseMaybeJson(body.reply_markup) as { inline_keyboard?: { callback_data?: string }[][] } | undefined;
        for (const row of markup?.inline_keyboard ?? [])
          for (const b of row)
            if (b.callback_data !== undefined && (Buffer.byteLength(b.callback_data) > 64 || b.callback_data.length === 0))
              return { ok: false, error_code: 400, description: "Bad Request: BUTTON_DATA_INVALID" };
        return {
          ok: true,
          result: {
            message_id: nextMessageId++,
            from: { id: BOT_USER.id, is_bot: true, first_name: BOT_USER.first_name, username: BOT_USER.username },
            chat: { id: chatId, type: chatId > 0 ? "private" : "group", first_name: "Citizen" },
            date: now,
            text: body.text,
            ...(markup?.inline_keyboard ? { reply_markup: markup } : {}),
          },
        };
      }
      case "answerCallbackQuery":
        if (typeof body.callback_query_id !== "string" || !body.callback_query_id)
          return { ok: false, error_code: 400, description: "Bad Request: query is too old and response timeout expired or query ID is invalid" };
        return { ok: true, result: true };
      case "setWebhook":
        if (typeof body.url !== "string") return { ok: false, error_code: 400, description: "Bad Request: bad webhook: URL must be provided" };
        webhook = {
          url: body.url,
          ...(typeof body.secret_token === "string" ? { secret_token: body.secret_token } : {}),
          ...(Array.isArray(parseMaybeJson(body.allowed_updates)) ? { allowed_updates: parseMaybeJson(body.allowed_updates) as string[] } : {}),
        };
        return { ok: true, result: true };
      case "deleteWebhook":
        webhook = null;
        return { ok: true, result: true };
      case "getWebhookInfo":
        return { ok: true, result: { url: webhook?.url ?? "", has_custom_certificate: false, pending_update_count: 0, ...(webhook?.allowed_updates ? { allowed_updates: webhook.allowed_updates } : {}) } };
      case "getFile": {
        const f = typeof body.file_id === "string" ? files.get(body.file_id) : undefined;
        if (!f) return { ok: false, error_code: 400, description: "Bad Request: invalid file_id" };
        if (f.bytes.length > 20 * 1024 * 1024) return { ok: false, error_code: 400, description: "Bad Request: file is too big" };
        return {
          ok: true,
          result: { file_id: body.file_id, file_unique_id: f.uniqueId, file_path: f.path, ...(f.announcedSize === null ? {} : { file_size: f.announcedSize }) },
        };
      }
      case "editMessageReplyMarkup":
      case "editMessageText":
      case "deleteMessage":
      case "setMyCommands":
        return { ok: true, result: true };
      default:
        return { ok: false, error_code: 404, description: "Not Found: method not found" };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(pathname);
    if (download && req.method === "GET") {
      if (download[1] !== token) return answer(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      const path = decodeURIComponent(download[2]!);
      const f = [...files.values()].find((x) => x.path === path);
      if (!f) return answer(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      downloads.push(path);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": f.bytes.length });
      res.end(Buffer.from(f.bytes));
      return;
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(pathname);
    if (!m) return answer(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    const [, gotToken, method] = m as unknown as [string, string, string];
    if (gotToken !== token) return answer(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    const body = await readBody(req);

    if (method === "getUpdates") {
      // Long polling: hand out what is queued (confirming by offset like Telegram), else wait a bit.
      const offset = Number(body.offset ?? 0);
      if (offset) while (updates.length && updates[0]!.update_id < offset) updates.shift();
      if (!updates.length) await new Promise((r) => setTimeout(r, Math.min(Number(body.timeout ?? 0), 0.2) * 1000));
      const out = updates.filter((u) => u.update_id >= offset).slice(0, Number(body.limit ?? 100));
      calls.push({ method, body: record ? body : {}, at: Date.now(), status: 200 });
      return answer(res, 200, { ok: true, result: out });
    }

    const failure = takeFailure(method);
    if (failure) {
      const status = Number(failure.kind);
      calls.push({ method, body: record ? body : {}, at: Date.now(), status });
      if (failure.kind === "429")
        return answer(res, 429, {
          ok: false,
          error_code: 429,
          description: failure.description ?? `Too Many Requests: retry after ${failure.retryAfter ?? 1}`,
          parameters: { retry_after: failure.retryAfter ?? 1 },
        });
      if (failure.kind === "403") return answer(res, 403, { ok: false, error_code: 403, description: failure.description ?? "Forbidden: bot was blocked by the user" });
      if (failure.kind === "400") return answer(res, 400, { ok: false, error_code: 400, description: failure.description ?? "Bad Request" });
      return answer(res, 500, { ok: false, error_code: 500, description: failure.description ?? "Internal Server Error" });
    }
    const r = result(method, body);
    const status = r.ok ? 200 : r.error_code;
    calls.push({ method, body: record ? body : {}, at: Date.now(), status });
    answer(res, status, r);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => answer(res, 500, { ok: false, error_code: 500, description: String(err) }));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeTelegram = {
    apiRoot,
    token,
    calls,
    sent(method, chatId) {
      return calls.filter((c) => (!method || c.method === method) && c.status === 200 && (chatId === undefined || Number(c.body.chat_id) === chatId));
    },
    texts(chatId) {
      return fake.sent("sendMessage", chatId).map((c) => String(c.body.text));
    },
    failNext(count, kind, o = {}) {
      for (let i = 0; i < count; i++) failures.push({ kind, ...o });
    },
    addFile(bytes, o = {}) {
      const n = nextFile++;
      const file_id = `AgACAgIAAxkBAAI${n}${"x".repeat(20)}`;
      const uniqueId = `AQAD${n}`;
      const announcedSize = o.announcedSize === undefined ? bytes.length : o.announcedSize;
      files.set(file_id, { bytes, path: `photos/file_${n}.jpg`, uniqueId, announcedSize });
      return { file_id, file_unique_id: uniqueId, ...(announcedSize === null ? {} : { file_size: announcedSize }) };
    },
    downloads,
    queueUpdates(...u) {
      updates.push(...u);
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > until) throw new Error(`fake Telegram: condition not met within ${timeoutMs} ms; calls: ${calls.map((c) => c.method).join(", ")}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    reset() {
      calls.length = 0;
      failures.length = 0;
      updates.length = 0;
      downloads.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return fake;
}

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (!raw) return {};
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) return JSON.parse(raw) as Record<string, unknown>;
  if (type.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries([...new URLSearchParams(raw)].map(([k, v]) => [k, parseMaybeJson(v)]));
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (type.includes("multipart/form-data") && boundary) {
    const out: Record<string, unknown> = {};
    for (const part of raw.split(`--${boundary[1] ?? boundary[2]}`)) {
      const name = /name="([^"]+)"/.exec(part);
      const at = part.indexOf("\r\n\r\n");
      if (!name || at < 0) continue;
      out[name[1]!] = parseMaybeJson(part.slice(at + 4).replace(/\r\n$/, ""));
    }
    return out;
  }
  return {};
}

// ---------------------------------------------------------------------------------------
// Real-shaped updates.

let nextUpdateId = 500_000_000 + Math.floor(Math.random() * 1_000_000);
let nextIncomingMessageId = 1;

export interface FakeUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export function citizen(id: number, over: Partial<FakeUser> = {}): FakeUser {
  return { id, first_name: "Citizen", last_name: String(id), language_code: "vi", ...over };
}

type ChatOverride = { chat?: { id: number; type: "private" | "group" | "supergroup"; title?: string } };

function baseMessage(from: FakeUser, o: ChatOverride = {}) {
  return {
    message_id: nextIncomingMessageId++,
    from: { is_bot: false, ...from },
    chat: o.chat ?? { id: from.id, type: "private" as const, first_name: from.first_name, ...(from.last_name ? { last_name: from.last_name } : {}) },
    date: Math.floor(Date.now() / 1000),
  };
}

export const updates = {
  nextId(): number {
    return nextUpdateId++;
  },
  text(from: FakeUser, text: string, o: ChatOverride & { updateId?: number } = {}): Update {
    return { update_id: o.updateId ?? nextUpdateId++, message: { ...baseMessage(from, o), text } } as Update;
  },
  /** "/start payload" etc. with the bot_command entity Telegram adds. */
  command(from: FakeUser, command: string, args = "", o: ChatOverride & { updateId?: number; mention?: string } = {}): Update {
    const cmd = `/${command}${o.mention ? "@" + o.mention : ""}`;
    const text = args ? `${cmd} ${args}` : cmd;
    return {
      update_id: o.updateId ?? nextUpdateId++,
      message: { ...baseMessage(from, o), text, entities: [{ type: "bot_command", offset: 0, length: cmd.length }] },
    } as Update;
  },
  /** A shared contact; by default the sender's own (user_id === from.id). */
  contact(from: FakeUser, phone: string, o: ChatOverride & { updateId?: number; userId?: number | null } = {}): Update {
    const userId = o.userId === undefined ? from.id : o.userId;
    return {
      update_id: o.updateId ?? nextUpdateId++,
      message: {
        ...baseMessage(from, o),
        contact: { phone_number: phone, first_name: from.first_name, ...(userId === null ? {} : { user_id: userId }) },
      },
    } as Update;
  },
  callback(from: FakeUser, data: string, o: { updateId?: number; messageId?: number; chatId?: number } = {}): Update {
    return {
      update_id: o.updateId ?? nextUpdateId++,
      callback_query: {
        id: String(BigInt(from.id) * 1000n + BigInt(nextIncomingMessageId++)),
        from: { is_bot: false, ...from },
        chat_instance: "-" + String(from.id * 7),
        data,
        message: {
          message_id: o.messageId ?? 1000,
          from: { id: BOT_USER.id, is_bot: true, first_name: BOT_USER.first_name, username: BOT_USER.username },
          chat: o.chatId !== undefined && o.chatId < 0 ? { id: o.chatId, type: "supergroup", title: "Group" } : { id: o.chatId ?? from.id, type: "private", first_name: from.first_name },
          date: Math.floor(Date.now() / 1000),
          text: "…",
        },
      },
    } as Update;
  },
  /**
   * A photo as Telegram sends it: several sizes of one picture, largest last (each a file
   * registered with fake.addFile; pass the same file for every size or one per size).
   */
  photo(from: FakeUser, sizes: { file_id: string; file_unique_id: string; file_size?: number; width: number; height: number }[], o: { updateId?: number; caption?: string } = {}): Update {
    return {
      update_id: o.updateId ?? nextUpdateId++,
      message: { ...baseMessage(from), photo: sizes, ...(o.caption ? { caption: o.caption } : {}) },
    } as Update;
  },
  /** An image sent "as a file" (no compression by Telegram). */
  document(from: FakeUser, file: { file_id: string; file_unique_id: string; file_size?: number }, mimeType: string, o: { updateId?: number } = {}): Update {
    return {
      update_id: o.updateId ?? nextUpdateId++,
      message: { ...baseMessage(from), document: { ...file, file_name: "phieu-hen.jpg", mime_type: mimeType } },
    } as Update;
  },
  sticker(from: FakeUser, o: { updateId?: number } = {}): Update {
    return {
      update_id: o.updateId ?? nextUpdateId++,
      message: {
        ...baseMessage(from),
        sticker: { file_id: "CAACAgIAAx", file_unique_id: "AgADx", type: "regular", width: 512, height: 512, is_animated: false, is_video: false },
      },
    } as Update;
  },
};

/** Inline keyboard of a recorded sendMessage call (empty when there is none). */
export function inlineKeyboard(call: RecordedCall | undefined): { text: string; callback_data: string }[][] {
  const markup = parseMaybeJson(call?.body.reply_markup) as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined;
  return markup?.inline_keyboard ?? [];
}

export function replyMarkup(call: RecordedCall | undefined): Record<string, unknown> | undefined {
  return parseMaybeJson(call?.body.reply_markup) as Record<string, unknown> | undefined;
}
