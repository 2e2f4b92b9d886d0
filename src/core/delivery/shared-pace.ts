// The pace shared by every instance on one PostgreSQL: the same GCRA buckets as pacing.ts
// (one per channel, one per chat), kept in the "PaceBucket" table and changed only by the
// pace_reserve() / pace_pause() SQL functions, one round trip per message. The database's
// clock decides, so instances with skewed clocks still add up to one pace; a 429 seen by one
// instance pauses all of them.
//
// Why a shared bucket and not one elected dispatcher per channel: the bucket needs no
// election, no fail-over delay when an instance dies (the survivors keep the pace at once),
// and costs one short statement per message — about 30 a second for Telegram's limit.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { ChannelLimits } from "./pacing.ts";

export type Reservation =
  /** Send at Date.now() + waitMs (the slot is reserved). */
  | { kind: "slot"; waitMs: number; pausedMs: number }
  /** Nothing reserved: the chat's own slot is in chatWaitMs, or the channel's beyond maxWait. */
  | { kind: "later"; waitMs: number; pausedMs: number };

export class SharedPace {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  private readonly chatIntervalMs: number | null;

  constructor(
    private readonly prisma: PrismaClient,
    readonly channel: string,
    limits: ChannelLimits,
  ) {
    if (!(limits.perSecond > 0)) throw new RangeError("perSecond must be > 0");
    this.intervalMs = 1000 / limits.perSecond;
    // No burst unless asked for: the sends of several instances arrive with their own network
    // and event-loop jitter, which already bunches them up at the platform.
    const burst = Math.max(1, limits.burst ?? 1);
    this.toleranceMs = (burst - 1) * this.intervalMs;
    this.chatIntervalMs = limits.perChatPerSecond ? 1000 / limits.perChatPerSecond : null;
  }

  async reserve(chat: string, cost: number, maxWaitMs: number): Promise<Reservation> {
    const rows = await this.prisma.$queryRaw<{ wait_ms: number | null; chat_wait_ms: number; paused_ms: number }[]>`
      SELECT wait_ms, chat_wait_ms, paused_ms FROM pace_reserve(${this.channel}, ${chat}, ${cost}::int,
        ${this.intervalMs}::float8, ${this.toleranceMs}::float8, ${this.chatIntervalMs}::float8, ${maxWaitMs}::float8)`;
    const r = rows[0];
    if (!r) throw new Error("pace_reserve returned nothing");
    if (r.wait_ms === null) return { kind: "later", waitMs: Number(r.chat_wait_ms), pausedMs: Number(r.paused_ms) };
    const waitMs = Math.max(0, Number(r.wait_ms));
    return { kind: waitMs > maxWaitMs ? "later" : "slot", waitMs, pausedMs: Number(r.paused_ms) };
  }

  /** A 429: every instance's next reservation starts after `ms`. */
  async pause(ms: number): Promise<void> {
    await this.prisma.$queryRaw`SELECT pace_pause(${this.channel}, ${ms}::float8, ${this.toleranceMs}::float8)`;
  }

  /** Forget per-chat buckets idle for a minute (the table stays as small as the recent chats). */
  async sweep(): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM "PaceBucket" WHERE key LIKE ${this.channel + "#%"} AND "updatedAt" < now() - interval '1 minute'
        AND tat < extract(epoch FROM clock_timestamp()) * 1000`;
  }
}
