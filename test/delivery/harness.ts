// A running service with the delivery module (notices, broadcasts, worker) pointed at the
// fake Telegram Bot API and, when asked, the fake Zalo.
import { deliveryModule, type DeliveryModuleOptions } from "../../src/app/delivery.ts";
import { createApiKey } from "../../src/core/api-keys.ts";
import type { DeliveryWorker } from "../../src/core/delivery/engine.ts";
import { VN_UTC_OFFSET_MINUTES } from "../../src/core/calendar.ts";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-server.ts";
import { startFakeZalo, type FakeZalo } from "../fakes/zalo-server.ts";
import { startTestService, type TestService } from "../helpers/app.ts";

export interface DeliveryHarness {
  svc: TestService;
  tg: FakeTelegram;
  zalo?: FakeZalo;
  worker: DeliveryWorker;
  /** A second staff key (approval needs a different person). */
  staffKey(name?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A clock running ahead of real time by whole hours so that it reads daytime in Vietnam:
 * Zalo's 22:00–06:00 rule must not depend on when the tests run. Rows queued "now" are due
 * for it, and everything the worker schedules is relative to it.
 */
export function daytimeClock(): () => Date {
  const hourMs = 3_600_000;
  let shift = 0;
  const localHour = (t: number) => Math.floor(((t + VN_UTC_OFFSET_MINUTES * 60_000) % (24 * hourMs)) / hourMs);
  while (localHour(Date.now() + shift) < 9 || localHour(Date.now() + shift) >= 17) shift += hourMs;
  return () => new Date(Date.now() + shift);
}

export async function startDeliveryHarness(
  o: { env?: Record<string, string>; zalo?: boolean; feature?: DeliveryModuleOptions } = {},
): Promise<DeliveryHarness> {
  const tg = await startFakeTelegram();
  const zalo = o.zalo ? await startFakeZalo() : undefined;
  let worker: DeliveryWorker | undefined;
  const svc = await startTestService(
    {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_WEBHOOK_SECRET: "test-secret",
      TELEGRAM_API_ROOT: tg.apiRoot,
      ...(zalo ? zalo.env({ ZALO_ZNS_TEMPLATE_STATUS: "zns-tpl-status" }) : {}),
      ...o.env,
    },
    undefined,
    {
      modules: [
        deliveryModule({
          quietHours: null,
          catchUpMs: 0,
          ...o.feature,
          worker: { pollMs: 20, backoff: { baseMs: 50, maxMs: 200 }, now: daytimeClock(), ...o.feature?.worker },
          onStarted: (p) => {
            worker = p.worker;
          },
        }),
      ],
    },
  );
  return {
    svc,
    tg,
    ...(zalo ? { zalo } : {}),
    worker: worker!,
    async staffKey(name = "second staff") {
      return (await createApiKey(svc.ctx.prisma, "staff", name, "test")).key;
    },
    async close() {
      await svc.close();
      await tg.close();
      await zalo?.close();
    },
  };
}
