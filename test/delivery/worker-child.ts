// A delivery worker in a process of its own, for the crash test: it is SIGKILLed mid-way
// and a second one finishes the queue. Configured by environment variables.
import { TelegramSender } from "../../src/bot/telegram/sender.ts";
import { DeliveryWorker } from "../../src/core/delivery/engine.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const db = await openDatabase({ url: env("CHILD_DATABASE_URL") });
const worker = new DeliveryWorker({
  prisma: db.prisma,
  senders: [new TelegramSender({ token: env("CHILD_TG_TOKEN"), apiRoot: env("CHILD_TG_API_ROOT") })],
  logger: createLogger("warn"),
  workerId: env("CHILD_WORKER_ID"),
  limits: { telegram: { perSecond: Number(env("CHILD_RATE")), perChatPerSecond: 1 } },
  quietHours: null,
  lockMs: Number(env("CHILD_LOCK_MS")),
  pollMs: 20,
});
worker.start();
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void worker
    .stop()
    .then(() => db.close())
    .then(() => process.exit(0));
});
