// The delivery engine: a durable outbound queue in the OutboundMessage table and a worker
// that sends it through channel senders at the platforms' pace.
//
// Life of a message:  queued ──claim──▶ sending ──▶ sent | failed | blocked | skipped | undeliverable
//                        ▲                  │
//                        └── requeue ───────┘ (temporary error with backoff, 429, quiet hours, pacing)
// - enqueue is idempotent by dedupeKey (INSERT … ON CONFLICT DO NOTHING).
// - Workers claim rows with FOR UPDATE SKIP LOCKED and stamp them with lockedBy/lockedUntil,
//   so instances sharing one PostgreSQL never claim the same row; a crashed worker's rows
//   go back to the queue once their lock expires (those few may be sent twice: the only
//   duplicates the design allows).
// - Every result is written to the message's own row as soon as the send returns, before
//   the worker takes more work; under load concurrent results share one UPDATE statement.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import type { Logger } from "../../logger.ts";
import type { Reply } from "../conversation/types.ts";
import { ChannelPacer, type ChannelLimits } from "./pacing.ts";
import { SharedPace, type Reservation } from "./shared-pace.ts";
import { DEFAULT_QUIET_HOURS, type QuietWindow } from "./quiet-hours.ts";
import { decide, decideZns, preflight, type Decision, type PolicySettings } from "./policy.ts";
import type { CallCounter, ChannelSender, SendOutcome, ZnsFallback, ZnsSender } from "./types.ts";

type Db = PrismaClient | Prisma.TransactionClient;
/** Channels with a sender: the chat platforms, and "web" (the /try page of the demo). */
export type DeliveryChannel = "telegram" | "zalo" | "web";

/** Lower sends first. */
export const PRIORITY = { notice: 10, urgentBroadcast: 50, broadcast: 100 } as const;

export const DEFAULT_LIMITS: Record<DeliveryChannel, ChannelLimits> = {
  telegram: { perSecond: 30, perChatPerSecond: 1 },
  // Zalo publishes no per-second figure for OA messages [U]: a cautious default, configurable.
  zalo: { perSecond: 10, perChatPerSecond: 1 },
  // The /try page reads its messages from the database: no platform limit to respect.
  web: { perSecond: 50, perChatPerSecond: 10 },
};

// ------------------------------------------------------------------ payload (DB JSON edge)

const buttonSchema = z.object({ label: z.string(), data: z.string() });
export const replySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), text: z.string(), buttons: z.array(z.array(buttonSchema)).optional() }),
  z.object({ kind: z.literal("request_phone"), text: z.string(), buttonLabel: z.string() }),
]);
export const znsFallbackSchema = z.object({
  phone: z.string().regex(/^84\d{9,10}$/, "international form 84xxxxxxxxx"),
  templateId: z.string().min(1).optional(),
  data: z.record(z.string(), z.string()),
});
export const outboundPayloadSchema = z.object({
  replies: z.array(replySchema).min(1),
  urgent: z.boolean().optional(),
  zns: znsFallbackSchema.optional(),
});
export type OutboundPayload = z.infer<typeof outboundPayloadSchema>;

// ------------------------------------------------------------------ enqueue

export interface EnqueueInput {
  /** notice | broadcast | survey | survey_reminder */
  kind: string;
  /** Idempotency key: a second enqueue with the same key does nothing. */
  dedupeKey: string;
  accountId: number;
  channel: DeliveryChannel;
  replies: Reply[];
  priority: number;
  notBefore?: Date | undefined;
  dossierId?: number | null | undefined;
  broadcastId?: number | null | undefined;
  /** Urgent broadcasts ignore quiet hours and opt-outs (never Zalo's night rule). */
  urgent?: boolean | undefined;
  /** Zalo: what to send by ZNS when the reply window is closed. */
  zns?: ZnsFallback | undefined;
  /** Record a receipt without sending (a broadcast recipient that is blocked or opted out). */
  skipReason?: string | undefined;
}

const enqueueListeners = new Set<() => void>();

/** Workers in this process are told about new rows at once (others find them by polling). */
export function onEnqueued(listener: () => void): () => void {
  enqueueListeners.add(listener);
  return () => enqueueListeners.delete(listener);
}

function notifyEnqueued(): void {
  for (const l of enqueueListeners) l();
}

function payloadOf(i: EnqueueInput): OutboundPayload {
  return { replies: i.replies, ...(i.urgent ? { urgent: true } : {}), ...(i.zns ? { zns: i.zns } : {}) };
}

/** Queue one message; `created` is false when the dedupeKey was already queued. */
export async function enqueue(prisma: Db, input: EnqueueInput): Promise<{ id: bigint; created: boolean }> {
  const now = new Date();
  const rows = await prisma.$queryRaw<{ id: bigint }[]>`
    INSERT INTO "OutboundMessage" (kind, "dedupeKey", "accountId", channel, payload, priority, state, error, "notBefore", "dossierId", "broadcastId", "updatedAt")
    VALUES (${input.kind}, ${input.dedupeKey}, ${input.accountId}, ${input.channel}::"Channel", ${JSON.stringify(payloadOf(input))}::jsonb,
            ${input.priority}, ${input.skipReason ? "skipped" : "queued"}::"OutboundState", ${input.skipReason ?? null},
            ${input.notBefore ?? now}, ${input.dossierId ?? null}, ${input.broadcastId ?? null}, ${now})
    ON CONFLICT ("dedupeKey") DO NOTHING
    RETURNING id`;
  const created = rows[0];
  if (created) {
    notifyEnqueued();
    return { id: created.id, created: true };
  }
  const existing = await prisma.outboundMessage.findUniqueOrThrow({ where: { dedupeKey: input.dedupeKey }, select: { id: true } });
  return { id: existing.id, created: false };
}

/** Queue many messages in chunks; returns how many were new. */
export async function enqueueMany(prisma: Db, inputs: EnqueueInput[], chunk = 1000): Promise<number> {
  let created = 0;
  for (let i = 0; i < inputs.length; i += chunk) {
    const r = await prisma.outboundMessage.createMany({
      data: inputs.slice(i, i + chunk).map((m) => ({
        kind: m.kind,
        dedupeKey: m.dedupeKey,
        accountId: m.accountId,
        channel: m.channel,
        payload: payloadOf(m) as Prisma.InputJsonObject,
        priority: m.priority,
        state: m.skipReason ? "skipped" : "queued",
        error: m.skipReason ?? null,
        ...(m.notBefore ? { notBefore: m.notBefore } : {}),
        dossierId: m.dossierId ?? null,
        broadcastId: m.broadcastId ?? null,
      })),
      skipDuplicates: true,
    });
    created += r.count;
  }
  if (created) notifyEnqueued();
  return created;
}

/** Blocked until the citizen writes again (the conversation stamps lastInboundAt). */
export function isAccountBlocked(a: { blockedAt: Date | null; lastInboundAt: Date | null }): boolean {
  return a.blockedAt !== null && !(a.lastInboundAt !== null && a.lastInboundAt > a.blockedAt);
}

// ------------------------------------------------------------------ worker

export interface DeliveryWorkerOptions {
  prisma: PrismaClient;
  senders: ChannelSender[];
  logger: Logger;
  /** Stamped on claimed rows (lockedBy); default host:pid:random. */
  workerId?: string;
  /**
   * Per channel; defaults: DEFAULT_LIMITS. With `sharedPace` the limits hold for all instances
   * on the database together; without, for this instance alone.
   */
  limits?: Partial<Record<DeliveryChannel, ChannelLimits & { maxInFlight?: number; concurrency?: number }>>;
  /** For non-urgent broadcasts (default 21:00–07:00; null: none). Zalo's 22:00–06:00 always applies. */
  quietHours?: QuietWindow | null;
  /** One pace across every instance on this database (PaceBucket table); default false (this process only). */
  sharedPace?: boolean;
  /** ZNS fallback for a closed Zalo window. */
  zns?: { sender: ZnsSender; templateId?: string | undefined } | undefined;
  /** Tries before a temporary error becomes `failed` (default 6). */
  maxAttempts?: number;
  /** Exponential backoff for temporary errors: base × 2^(attempt-1), capped (defaults 5 s, 10 min). */
  backoff?: { baseMs: number; maxMs: number };
  /** How long a claim is held before other workers may take the row back (default 60 s). */
  lockMs?: number;
  /** Poll interval when the queue is empty (default 250 ms). */
  pollMs?: number;
  /** A message waits in memory for pacing at most this long; later ones go back to the queue (default 3 s). */
  holdMs?: number;
  /** Clock (tests of quiet hours). Pacing uses real time. */
  now?: () => Date;
  /** Told every send result (the service's metrics count them). */
  onSendResult?: (channel: DeliveryChannel, result: "sent" | SendFailureKind) => void;
}

type SendFailureKind = Extract<SendOutcome, { ok: false }>["kind"];

interface ClaimedRow {
  id: bigint;
  kind: string;
  accountId: number;
  channel: string;
  payload: unknown;
  attempts: number;
  priority: number;
  dossierId: number | null;
  broadcastId: number | null;
  platformUserId: string;
  blockedAt: Date | null;
  blockedReason: string | null;
  lastInboundAt: Date | null;
  optedOutAt: Date | null;
}

type Result = Decision;

/**
 * How far ahead a shared-pace slot may be reserved. Short, because a slot reserved by an
 * instance that then dies is lost to every instance: at most half a second of the pace.
 */
const SHARED_MAX_WAIT_MS = 500;

interface ChannelState {
  channel: DeliveryChannel;
  sender: ChannelSender;
  pacer: ChannelPacer;
  /** Set when the pace is shared through the database; `pacer` then only remembers pauses. */
  shared: SharedPace | undefined;
  maxInFlight: number;
  minClaim: number;
  concurrency: number;
  inFlight: number;
  sending: number;
  sendWaiters: (() => void)[];
  idleUntil: number;
}

export interface WorkerStats {
  /** Claim statements run and rows they returned. */
  claims: number;
  claimed: number;
  /** Result statements written (each carries one or more messages' results). */
  resultWrites: number;
  sent: number;
  requeued: number;
  final: number;
  rateLimited: number;
}


export class DeliveryWorker {
  readonly workerId: string;
  readonly stats: WorkerStats = { claims: 0, claimed: 0, resultWrites: 0, sent: 0, requeued: 0, final: 0, rateLimited: 0 };
  private readonly prisma: PrismaClient;
  private readonly logger: Logger;
  private readonly channels = new Map<DeliveryChannel, ChannelState>();
  private readonly quiet: QuietWindow | null;
  private readonly maxAttempts: number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly lockMs: number;
  private readonly pollMs: number;
  private readonly holdMs: number;
  private readonly policy: PolicySettings;
  private readonly clock: () => Date;
  private readonly writer: ResultWriter;
  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly sleepers = new Set<() => void>();
  private readonly tasks = new Set<Promise<void>>();
  private lastReclaim = 0;
  private lastPaceSweep = Date.now();
  private unsubscribe: (() => void) | undefined;
  private stopped: Promise<void> | undefined;

  constructor(private readonly opts: DeliveryWorkerOptions) {
    this.prisma = opts.prisma;
    this.logger = opts.logger.child({ component: "delivery" });
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.quiet = opts.quietHours === undefined ? DEFAULT_QUIET_HOURS : opts.quietHours;
    this.maxAttempts = opts.maxAttempts ?? 6;
    this.backoff = opts.backoff ?? { baseMs: 5_000, maxMs: 600_000 };
    this.policy = { maxAttempts: this.maxAttempts, backoff: this.backoff, quietHours: this.quiet };
    this.lockMs = opts.lockMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 250;
    this.holdMs = opts.holdMs ?? 3_000;
    this.clock = opts.now ?? (() => new Date());
    for (const sender of opts.senders) {
      const l = { ...DEFAULT_LIMITS[sender.channel], ...opts.limits?.[sender.channel] };
      // Enough claimed to keep the pace for about a second, not more: the rest stays in the
      // queue for other instances and for cancellation.
      const maxInFlight = l.maxInFlight ?? Math.min(500, Math.max(8, Math.ceil(l.perSecond)));
      this.channels.set(sender.channel, {
        channel: sender.channel,
        sender,
        pacer: new ChannelPacer(l),
        shared: opts.sharedPace ? new SharedPace(opts.prisma, sender.channel, l) : undefined,
        maxInFlight,
        minClaim: Math.max(1, Math.floor(maxInFlight / 4)),
        concurrency: l.concurrency ?? 64,
        inFlight: 0,
        sending: 0,
        sendWaiters: [],
        idleUntil: 0,
      });
    }
    this.writer = new ResultWriter(this.prisma, this.workerId, this.logger, () => this.stats.resultWrites++);
  }

  get inFlight(): number {
    let n = 0;
    for (const c of this.channels.values()) n += c.inFlight;
    return n;
  }

  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    this.unsubscribe = onEnqueued(() => this.wake(true));
    this.loop = this.run().catch((err: unknown) => {
      this.logger.fatal({ err }, "delivery loop crashed");
    });
    this.logger.info({ workerId: this.workerId, channels: [...this.channels.keys()] }, "delivery worker started");
  }

  /**
   * Stop claiming; messages still waiting for their pacing slot go back to the queue, sends
   * already on the wire finish and their results are written. Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.unsubscribe?.();
      this.wake(false);
      for (const s of [...this.sleepers]) s();
      await this.loop;
      while (this.tasks.size) await Promise.allSettled([...this.tasks]);
      await this.writer.flush();
      this.running = false;
      this.logger.info({ workerId: this.workerId, ...this.stats }, "delivery worker stopped");
    })();
    return this.stopped;
  }

  /**
   * Resolves once nothing is in flight here and no row of our channels is sending or due
   * within `horizonMs` (tests and benchmarks).
   */
  async drain(opts: { timeoutMs?: number; horizonMs?: number } = {}): Promise<void> {
    const until = Date.now() + (opts.timeoutMs ?? 60_000);
    const channels = [...this.channels.keys()];
    let quietChecks = 0;
    for (;;) {
      if (this.inFlight === 0) {
        const horizon = new Date(this.clock().getTime() + (opts.horizonMs ?? 2_000));
        const pending = await this.prisma.outboundMessage.count({
          where: { channel: { in: channels }, OR: [{ state: "sending" }, { state: "queued", notBefore: { lte: horizon } }] },
        });
        // Twice in a row: a row requeued between our checks must not slip through.
        if (pending === 0 && this.inFlight === 0 && ++quietChecks >= 2) return;
        if (pending > 0) quietChecks = 0;
      } else quietChecks = 0;
      if (Date.now() > until) throw new Error(`delivery drain timed out with ${this.inFlight} message(s) in flight`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // ------------------------------------------------------------------ loop

  private wake(resetIdle: boolean): void {
    if (resetIdle) for (const c of this.channels.values()) c.idleUntil = 0;
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const now = Date.now();
      try {
        if (now - this.lastReclaim >= Math.min(5_000, this.lockMs / 2)) {
          this.lastReclaim = now;
          await this.reclaim();
        }
        if (now - this.lastPaceSweep >= 60_000) {
          this.lastPaceSweep = now;
          for (const c of this.channels.values()) await c.shared?.sweep();
        }
        let claimed = 0;
        for (const ch of this.channels.values()) {
          if (this.stopping) break;
          if (ch.idleUntil > Date.now() || ch.pacer.pausedUntil > Date.now()) continue;
          const room = ch.maxInFlight - ch.inFlight;
          if (room <= 0 || (ch.inFlight > 0 && room < ch.minClaim)) continue;
          const rows = await this.claim(ch.channel, room);
          if (rows.length < room) ch.idleUntil = Date.now() + this.pollMs;
          claimed += rows.length;
          for (const row of rows) this.track(ch, row);
        }
        if (claimed) continue;
      } catch (err) {
        this.logger.error({ err }, "claiming outbound messages failed; retrying");
        await this.sleep(Math.max(this.pollMs, 1_000));
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.nextWakeIn());
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  private nextWakeIn(): number {
    const now = Date.now();
    let next = now + this.pollMs;
    for (const c of this.channels.values()) {
      const ready = Math.max(c.idleUntil, c.pacer.pausedUntil);
      if (ready > now && ready < next) next = ready;
    }
    return Math.max(1, next - now);
  }

  private async claim(channel: DeliveryChannel, limit: number): Promise<ClaimedRow[]> {
    const now = this.clock();
    const lockUntil = new Date(Date.now() + this.lockMs);
    const rows = await this.prisma.$queryRaw<ClaimedRow[]>`
      WITH claimed AS (
        UPDATE "OutboundMessage"
           SET state = 'sending', "lockedUntil" = ${lockUntil}, "lockedBy" = ${this.workerId}, attempts = attempts + 1, "updatedAt" = ${new Date()}
         WHERE id IN (
           SELECT id FROM "OutboundMessage"
            WHERE state = 'queued' AND "notBefore" <= ${now} AND channel = ${channel}::"Channel"
            ORDER BY priority, id
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, "accountId", channel::text AS channel, payload, attempts, priority, "dossierId", "broadcastId")
      SELECT c.*, a."platformUserId", a."blockedAt", a."blockedReason", a."lastInboundAt", a."optedOutAt"
        FROM claimed c JOIN "ChannelAccount" a ON a.id = c."accountId"
       ORDER BY c.priority, c.id`;
    this.stats.claims++;
    this.stats.claimed += rows.length;
    return rows;
  }

  /** Rows whose claim expired (their worker died or hung) go back to the queue. */
  private async reclaim(): Promise<void> {
    const now = new Date();
    const n = await this.prisma.$executeRaw`
      UPDATE "OutboundMessage" SET state = 'queued', "lockedBy" = NULL, "lockedUntil" = NULL, "updatedAt" = ${now}
       WHERE state = 'sending' AND "lockedUntil" < ${now}`;
    if (n > 0) this.logger.warn({ count: n }, "took back messages whose worker stopped without finishing them (they may be sent twice)");
  }

  private track(ch: ChannelState, row: ClaimedRow): void {
    ch.inFlight++;
    const task = this.process(ch, row)
      .then((result) => {
        if (result.kind === "sent") this.stats.sent++;
        else if (result.kind === "requeue") this.stats.requeued++;
        else this.stats.final++;
        return this.writer.write(row.id, result);
      })
      .catch((err: unknown) => {
        // The result could not be written: the row stays `sending` and returns to the queue
        // when its lock expires.
        this.logger.error({ err, id: String(row.id) }, "recording a delivery result failed");
      })
      .finally(() => {
        ch.inFlight--;
        this.tasks.delete(task);
        this.wake(false);
      });
    this.tasks.add(task);
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }



  private requeueNow(error: string | null = null): Result {
    return { kind: "requeue", notBefore: this.clock(), attempt: false, error };
  }

  // ------------------------------------------------------------------ one message

  private async process(ch: ChannelState, row: ClaimedRow): Promise<Result> {
    const parsed = outboundPayloadSchema.safeParse(row.payload);
    if (!parsed.success) return { kind: "final", state: "failed", error: `invalid payload: ${parsed.error.issues[0]?.message ?? "?"}` };
    const p = parsed.data;
    const early = preflight(
      {
        channel: ch.channel,
        kind: row.kind,
        attempts: row.attempts,
        urgent: p.urgent === true,
        blocked: isAccountBlocked(row) ? { reason: row.blockedReason } : null,
        optedOut: row.optedOutAt !== null,
      },
      this.policy,
      this.clock(),
    );
    if (early) return early;

    // Pacing: the chat's slot first, then the channel's; long waits go back to the queue.
    const cost = Math.max(1, (ch.sender as Partial<CallCounter>).callsFor?.(p.replies) ?? p.replies.length);
    const chat = row.platformUserId;
    // The chat's slot is taken at the moment of sending, so that waiting for the channel
    // (or a pause) can never squeeze two messages to one chat closer than its interval.
    if (ch.shared) {
      const waited = await this.sharedSlot(ch, ch.shared, chat, cost);
      if (waited) return waited;
    } else for (;;) {
      if (this.stopping) return this.requeueNow();
      const chatAt = ch.pacer.chatReadyAt(chat, Date.now());
      if (chatAt - Date.now() > this.holdMs) return this.deferTo(chatAt);
      if (chatAt > Date.now()) {
        await this.sleep(chatAt - Date.now());
        continue;
      }
      const at = ch.pacer.reserveOverall(Date.now(), cost);
      if (at - Date.now() > this.holdMs) return this.deferTo(at);
      await this.sleep(at - Date.now());
      if (this.stopping) return this.requeueNow();
      // A 429 that arrived while we waited moves everyone behind the pause; another message
      // to this chat may have gone meanwhile.
      if (Date.now() < ch.pacer.pausedUntil || ch.pacer.chatReadyAt(chat, Date.now()) > Date.now()) continue;
      ch.pacer.reserveChat(chat, Date.now(), cost);
      break;
    }

    await this.acquireSendSlot(ch);
    // Waiting for a send slot may have taken a while: the chat's interval counts from now.
    if (!ch.shared) ch.pacer.sentToChat(chat, Date.now(), cost);
    let outcome: SendOutcome;
    try {
      outcome = await ch.sender.send(row.platformUserId, p.replies);
    } catch (err) {
      outcome = { ok: false, kind: "temporary", message: err instanceof Error ? err.message : String(err) };
    } finally {
      this.releaseSendSlot(ch);
    }
    return this.interpret(ch, row, p, outcome);
  }

  /** Waits for a slot of the shared pace; a Result when the message goes back to the queue instead. */
  private async sharedSlot(ch: ChannelState, pace: SharedPace, chat: string, cost: number): Promise<Result | null> {
    for (;;) {
      if (this.stopping) return this.requeueNow();
      let r: Reservation;
      try {
        r = await pace.reserve(chat, cost, SHARED_MAX_WAIT_MS);
      } catch (err) {
        this.logger.warn({ err, channel: ch.channel }, "shared pace unavailable; message back to the queue");
        return this.deferTo(Date.now() + 1_000);
      }
      // Remember a pause another instance saw, so this one stops claiming too.
      if (r.pausedMs > 0) ch.pacer.pause(Date.now(), r.pausedMs);
      if (r.kind === "later") {
        if (r.waitMs > SHARED_MAX_WAIT_MS) return this.deferTo(Date.now() + r.waitMs);
        await this.sleep(r.waitMs);
        continue;
      }
      await this.sleep(r.waitMs);
      if (this.stopping) return this.requeueNow();
      // A 429 seen here while we waited: the slot is void, reserve again behind the pause.
      if (Date.now() < ch.pacer.pausedUntil) continue;
      return null;
    }
  }

  private deferTo(ms: number): Result {
    return { kind: "requeue", notBefore: new Date(this.clock().getTime() + Math.max(0, ms - Date.now())), attempt: false, error: null };
  }

  private async acquireSendSlot(ch: ChannelState): Promise<void> {
    while (ch.sending >= ch.concurrency) await new Promise<void>((r) => ch.sendWaiters.push(r));
    ch.sending++;
  }

  private releaseSendSlot(ch: ChannelState): void {
    ch.sending--;
    ch.sendWaiters.shift()?.();
  }

  /** Carries out what the policy decided about the platform's answer. */
  private async interpret(ch: ChannelState, row: ClaimedRow, p: OutboundPayload, o: SendOutcome): Promise<Result> {
    this.opts.onSendResult?.(ch.channel, o.ok ? "sent" : o.kind);
    const { decision, effects } = decide(row, o, this.policy, this.clock());
    for (const e of effects) {
      switch (e.kind) {
        case "pauseChannel":
          ch.pacer.pause(Date.now(), e.ms);
          ch.shared?.pause(e.ms).catch((err: unknown) => this.logger.warn({ err }, "could not share the pause"));
          this.stats.rateLimited++;
          this.logger.warn({ channel: ch.channel, retryAfterMs: e.ms }, "rate limited by the platform; channel paused");
          break;
        case "blockAccount":
          await this.prisma.channelAccount.update({ where: { id: row.accountId }, data: { blockedAt: new Date(), blockedReason: e.reason } });
          this.logger.info({ channel: ch.channel, accountId: row.accountId }, "account blocked the bot; further sends suppressed until it writes again");
          break;
        case "tryZns":
          return this.viaZns(ch, row, p, e.windowError);
      }
    }
    return decision!;
  }

  /** Zalo window closed: the ZNS template by phone when both data and a sender exist. */
  private async viaZns(ch: ChannelState, row: ClaimedRow, p: OutboundPayload, windowError: string): Promise<Result> {
    const zns = this.opts.zns;
    const templateId = p.zns?.templateId ?? zns?.templateId;
    if (!p.zns || !zns || !templateId) return decideZns(row, "no_fallback", windowError, this.policy, this.clock());
    const at = ch.pacer.reserveOverall(Date.now(), 1);
    await this.sleep(at - Date.now());
    let o: SendOutcome;
    try {
      o = await zns.sender.sendTemplate(p.zns.phone, templateId, p.zns.data, `ob-${row.id}`);
    } catch (err) {
      o = { ok: false, kind: "temporary", message: err instanceof Error ? err.message : String(err) };
    }
    return decideZns(row, o, windowError, this.policy, this.clock());
  }
}

// ------------------------------------------------------------------ result writes

interface PendingWrite {
  id: bigint;
  result: Result;
  done: () => void;
  fail: (err: unknown) => void;
}

/**
 * Writes each message's result to its own row right after its send. Results arriving
 * within a few milliseconds of each other go out together in one statement (group
 * commit): one statement per message would cap a fast channel at a few hundred messages
 * a second on the embedded database. A message's slot is freed only once its result is
 * committed, so a crash can lose at most the results of messages still in flight.
 */
class ResultWriter {
  private pending: PendingWrite[] = [];
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Results gathered before a write starts (ms); a full batch starts at once. */
  private readonly gatherMs = 5;
  private readonly maxBatch = 500;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly workerId: string,
    private readonly logger: Logger,
    private readonly onWrite: () => void = () => {},
  ) {}

  write(id: bigint, result: Result): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ id, result, done, fail });
      if (this.running) return;
      if (this.pending.length >= this.maxBatch) this.start();
      else this.timer ??= setTimeout(() => this.start(), this.gatherMs);
    });
  }

  async flush(): Promise<void> {
    if (this.pending.length && !this.running) this.start();
    while (this.running) await this.running;
  }

  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          await this.writeBatch(batch);
          for (const w of batch) w.done();
        } catch (err) {
          // One retry after a short pause (a dropped connection); then give up on this batch.
          await new Promise((r) => setTimeout(r, 200));
          try {
            await this.writeBatch(batch);
            for (const w of batch) w.done();
          } catch (err2) {
            this.logger.error({ err: err2, first: err }, "writing delivery results failed");
            for (const w of batch) w.fail(err2);
          }
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private async writeBatch(batch: PendingWrite[]): Promise<void> {
    this.onWrite();
    const now = new Date().toISOString();
    const rows = batch.map((w) => {
      const r = w.result;
      return {
        id: String(w.id),
        state: r.kind === "sent" ? "sent" : r.kind === "requeue" ? "queued" : r.state,
        nb: r.kind === "requeue" ? r.notBefore.toISOString() : null,
        da: r.kind === "requeue" && !r.attempt ? -1 : 0,
        err: r.kind === "sent" ? null : r.error,
        sent: r.kind === "sent" ? now : null,
        pmid: r.kind === "sent" ? r.platformMessageId : null,
      };
    });
    // One JSON parameter instead of seven per row: the statement text never changes and the
    // driver has one value to encode. A `sent` result is the truth whatever happened to the
    // row meanwhile; any other result only applies while this worker still holds the claim.
    await this.prisma.$executeRaw`
      UPDATE "OutboundMessage" AS o SET
          state = v.state::"OutboundState",
          "notBefore" = COALESCE(v.nb, o."notBefore"),
          attempts = GREATEST(0, o.attempts + v.da),
          error = v.err,
          "sentAt" = COALESCE(v.sent, o."sentAt"),
          "platformMessageId" = COALESCE(v.pmid, o."platformMessageId"),
          "lockedBy" = NULL, "lockedUntil" = NULL, "updatedAt" = ${now}::timestamp(3)
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
             AS v(id bigint, state text, nb timestamp(3), da int, err text, sent timestamp(3), pmid text)
       WHERE o.id = v.id AND (v.state = 'sent' OR (o.state = 'sending' AND o."lockedBy" = ${this.workerId}))`;
  }
}
