// Delivery settings from the environment (all optional), parsed once with a readable error.
import { z } from "zod";
import type { ChannelLimits } from "./pacing.ts";
import { DEFAULT_QUIET_HOURS, quietHoursSchema, type QuietWindow } from "./quiet-hours.ts";

const rate = (name: string) => z.coerce.number().positive(`${name} must be a positive number (messages per second)`);

const schema = z.object({
  DELIVERY_TELEGRAM_RATE: rate("DELIVERY_TELEGRAM_RATE").default(30),
  DELIVERY_TELEGRAM_CHAT_RATE: rate("DELIVERY_TELEGRAM_CHAT_RATE").default(1),
  DELIVERY_ZALO_RATE: rate("DELIVERY_ZALO_RATE").default(10),
  DELIVERY_ZALO_CHAT_RATE: rate("DELIVERY_ZALO_CHAT_RATE").default(1),
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  QUIET_HOURS: quietHoursSchema.optional(),
  DELIVERY_WORKER_ID: z.string().trim().min(1).max(100).optional(),
  /** shared: one pace for every instance on the database; local: per process; auto: shared on a PostgreSQL server. */
  DELIVERY_PACING: z.enum(["auto", "shared", "local"]).default("auto"),
  /** How long a claimed message stays with its instance before another may take it back (a killed instance's messages). */
  DELIVERY_CLAIM_MS: z.coerce.number().int().min(2_000).max(3_600_000).default(60_000),
});

export interface DeliverySettings {
  limits: { telegram: ChannelLimits; zalo: ChannelLimits };
  maxAttempts: number;
  /** Non-urgent announcements wait outside this window (null: never). */
  quietHours: QuietWindow | null;
  workerId: string | undefined;
  pacing: "auto" | "shared" | "local";
  claimMs: number;
}

export function deliverySettings(env: NodeJS.ProcessEnv = process.env): DeliverySettings {
  const picked = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]));
  const r = schema.safeParse(picked);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`Configuration error: ${String(i.path[0] ?? "delivery")}: ${i.message}`);
  }
  const e = r.data;
  return {
    limits: {
      telegram: { perSecond: e.DELIVERY_TELEGRAM_RATE, perChatPerSecond: e.DELIVERY_TELEGRAM_CHAT_RATE },
      zalo: { perSecond: e.DELIVERY_ZALO_RATE, perChatPerSecond: e.DELIVERY_ZALO_CHAT_RATE },
    },
    maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
    quietHours: e.QUIET_HOURS === undefined ? DEFAULT_QUIET_HOURS : e.QUIET_HOURS,
    workerId: e.DELIVERY_WORKER_ID,
    pacing: e.DELIVERY_PACING,
    claimMs: e.DELIVERY_CLAIM_MS,
  };
}
