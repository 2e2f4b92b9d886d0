// A running service with the Zalo channel mounted, pointed at the fake Zalo, answering with
// the real ConversationService (or another conversation).
import { databaseConversation } from "../../src/core/conversation/database.ts";
import { startZalo, type ConversationPort, type ZaloChannel } from "../../src/bot/zalo/index.ts";
import type { AppContext } from "../../src/app/context.ts";
import { ConversationService } from "../../src/core/conversation/index.ts";
import { signedWebhook, startFakeZalo, type FakeZalo, type SignedWebhook } from "../fakes/zalo-server.ts";
import { startTestService, type TestService } from "../helpers/app.ts";

export interface ZaloHarness {
  svc: TestService;
  fake: FakeZalo;
  zalo: ZaloChannel;
  conversation: ConversationPort;
  /** POST a raw delivery to /webhooks/zalo. */
  post(delivery: SignedWebhook | { body: string; headers: Record<string, string> }): Promise<Response>;
  /** Sign, POST, expect 200, and wait until the event is processed. */
  deliver(event: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startZaloHarness(
  opts: { conversation?: (ctx: AppContext) => ConversationPort; env?: Record<string, string> } = {},
): Promise<ZaloHarness> {
  const fake = await startFakeZalo();
  let zalo!: ZaloChannel;
  let conversation!: ConversationPort;
  const svc = await startTestService(fake.env(opts.env), (ctx) => {
    conversation = opts.conversation?.(ctx) ?? databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher });
    zalo = startZalo(ctx, conversation, { replayIntervalMs: 0, tokenCheckIntervalMs: 0, retry: { delaysMs: [5, 20] } });
    return { routers: [zalo.router], readinessChecks: [zalo.readinessCheck] };
  });
  const h: ZaloHarness = {
    svc,
    fake,
    zalo,
    conversation,
    post(delivery) {
      return fetch(`${svc.url}/webhooks/zalo`, { method: "POST", headers: delivery.headers, body: delivery.body });
    },
    async deliver(event) {
      const res = await h.post(signedWebhook(event));
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${JSON.stringify(body)}`);
      await zalo.processor.idle();
      return body;
    },
    async close() {
      await zalo.stop();
      await svc.close();
      await fake.close();
    },
  };
  return h;
}
