// What the delivery engine is told by the configuration (src/app/config.ts, section "delivery").
import type { ChannelLimits } from "./pacing.ts";
import type { QuietWindow } from "./quiet-hours.ts";

export interface DeliverySettings {
  readonly limits: { readonly telegram: ChannelLimits; readonly zalo: ChannelLimits };
  readonly maxAttempts: number;
  /** Non-urgent announcements wait outside this window (null: never). */
  readonly quietHours: QuietWindow | null;
  readonly workerId: string | undefined;
  readonly pacing: "auto" | "shared" | "local";
  readonly claimMs: number;
}
