// A running service with the Telegram channel mounted, pointed at a fake Bot API.
import type { Update } from "grammy/types";
import { startTelegram, type ConversationPort, type TelegramChannel } from "../../src/bot/telegram/index.ts";
import type { AppContext } from "../../src/app/context.ts";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-server.ts";
import { startTestService, type TestService } from "../helpers/app.ts";

export const SECRET = "test-webhook-secret_0123456789";

export interface TelegramHarness {
  svc: TestService;
  fake: FakeTelegram;
  tg: TelegramChannel;
  /** POST an update to /webhooks/telegram with the right secret (or the given header value; null = none). */
  post(update: Update | unknown, secret?: string | null): Promise<Response>;
  /** POST and expect 200. */
  deliver(update: Update): Promise<void>;
  close(): Promise<void>;
}

export async function startTelegramHarness(
  conversation: (ctx: AppContext) => ConversationPort,
  env: Record<string, string> = {},
): Promise<TelegramHarness> {
  const fake = await startFakeTelegram();
  let tg!: TelegramChannel;
  const svc = await startTestService(
    { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot, ...env },
    (ctx) => {
      tg = startTelegram(ctx, conversation(ctx), { replayIntervalMs: 0 });
      return { routers: [tg.router], readinessChecks: [tg.readinessCheck] };
    },
  );
  const h: TelegramHarness = {
    svc,
    fake,
    tg,
    post(update, secret = SECRET) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret;
      return fetch(`${svc.url}/webhooks/telegram`, { method: "POST", headers, body: typeof update === "string" ? update : JSON.stringify(update) });
    },
    async deliver(update) {
      const res = await h.post(update);
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    },
    async close() {
      await tg.stop();
      await svc.close();
      await fake.close();
    },
  };
  // Start-up work (getMe, the first replay) is not part of what tests assert.
  await fake.waitFor((calls) => calls.some((c) => c.method === "getMe"));
  await new Promise((r) => setTimeout(r, 50));
  fake.reset();
  return h;
}
