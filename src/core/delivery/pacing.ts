// Pacing per channel: one overall rate and one rate per chat, as the platforms count them
// (Telegram ≈ 30 messages/s across chats, ≈ 1/s to one chat). Both are GCRA token buckets
// ("virtual scheduling"): each send is given a slot no earlier than its bucket allows, so
// the pace is smooth instead of bursts followed by 429s.
// A 429 pauses the whole channel for its retry_after: Telegram does not say whether the
// limit hit was the chat's or the bot's, so the conservative reading is the safe one.

export interface ChannelLimits {
  /** Platform API calls per second across all chats. */
  perSecond: number;
  /** Calls the overall bucket may send back-to-back (default: a tenth of a second's worth, at least 1). */
  burst?: number;
  /** Calls per second to one chat (undefined: no per-chat limit). */
  perChatPerSecond?: number;
}

/** One GCRA bucket: `tat` is the theoretical arrival time of the next call. */
class Gcra {
  private tat = 0;
  constructor(
    private readonly intervalMs: number,
    private readonly toleranceMs: number,
  ) {}

  /** When a call of `cost` could start, without reserving it. */
  peek(now: number): number {
    return Math.max(now, this.tat - this.toleranceMs);
  }

  /** Reserve `cost` calls starting no earlier than `now`; returns the start time. */
  reserve(now: number, cost: number): number {
    const at = this.peek(now);
    this.tat = Math.max(this.tat, at) + cost * this.intervalMs;
    return at;
  }

  /** Nothing reserved beyond `now` (the entry can be forgotten). */
  idle(now: number): boolean {
    return this.tat <= now;
  }

  /** `cost` calls started at `t`, perhaps later than reserved: the next waits a full interval from then. */
  anchor(t: number, cost: number): void {
    this.tat = Math.max(this.tat, t + cost * this.intervalMs);
  }

  /** No reservation may start before `t` (a pause). */
  pushTo(t: number): void {
    this.tat = Math.max(this.tat, t + this.toleranceMs);
  }
}

export class ChannelPacer {
  private readonly overall: Gcra;
  private readonly chats = new Map<string, Gcra>();
  private readonly chatIntervalMs: number | undefined;
  private pausedUntilMs = 0;
  private lastSweep = 0;

  constructor(readonly limits: ChannelLimits) {
    if (!(limits.perSecond > 0)) throw new RangeError("perSecond must be > 0");
    const interval = 1000 / limits.perSecond;
    const burst = Math.max(1, limits.burst ?? Math.floor(limits.perSecond / 10));
    this.overall = new Gcra(interval, (burst - 1) * interval);
    this.chatIntervalMs = limits.perChatPerSecond ? 1000 / limits.perChatPerSecond : undefined;
  }

  get pausedUntil(): number {
    return this.pausedUntilMs;
  }

  /** 429: no call on this channel before now + ms. */
  pause(now: number, ms: number): void {
    const until = now + Math.max(0, ms);
    if (until > this.pausedUntilMs) this.pausedUntilMs = until;
    this.overall.pushTo(this.pausedUntilMs);
  }

  /** Earliest time the chat may get a message (ignores the overall bucket). */
  chatReadyAt(chat: string, now: number): number {
    const g = this.chats.get(chat);
    return Math.max(g ? g.peek(now) : now, this.pausedUntilMs);
  }

  /** Reserve the chat's slot; returns when it starts. Call only when about to send. */
  reserveChat(chat: string, now: number, cost: number): number {
    if (this.chatIntervalMs === undefined) return now;
    let g = this.chats.get(chat);
    if (!g) {
      g = new Gcra(this.chatIntervalMs, 0);
      this.chats.set(chat, g);
    }
    this.sweep(now);
    return g.reserve(now, cost);
  }

  /** The chat's message really goes out now (after waiting for a send slot): its next one waits a full interval from now. */
  sentToChat(chat: string, now: number, cost: number): void {
    this.chats.get(chat)?.anchor(now, cost);
  }

  /** Reserve `cost` calls of the overall bucket; returns when they may start. */
  reserveOverall(now: number, cost: number): number {
    return this.overall.reserve(Math.max(now, this.pausedUntilMs), cost);
  }

  /** Forget chats with nothing reserved, so memory stays bounded by recent chats. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 10_000 || this.chats.size < 10_000) return;
    this.lastSweep = now;
    for (const [k, g] of this.chats) if (g.idle(now)) this.chats.delete(k);
  }
}
