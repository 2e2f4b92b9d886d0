// The one path every Zalo event takes: accepted into the durable inbox (a repeated msg_id
// stops there), then — after the webhook has answered 200 — processed: the conversation
// answers and the replies go out through ZaloSender. A failure, or a crash between "200"
// and "processed", leaves the row for processPending to replay.
import * as inbox from "../../core/inbox.ts";
import type { InboundMessage, Reply } from "../../core/conversation/types.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Logger } from "../../logger.ts";
import { eventKind, eventTime, externalIdOf, imageUrlOf, inboundFromSubmitInfo, inboundFromText, userOf, zaloEventSchema, type ZaloEvent } from "./events.ts";
import type { ZaloPhotoReader } from "./photo.ts";
import type { ZaloSender } from "./sender.ts";

/** What the adapter needs from the conversation core (ConversationService satisfies it). */
export interface ConversationPort {
  handle(msg: InboundMessage): Promise<Reply[]>;
}

export type ReceiveOutcome = "accepted" | "duplicate" | "ignored";

export interface ZaloEventProcessor {
  /**
   * Store a verified event in the inbox and start processing it in the background.
   * Resolves once the event is stored (the webhook may answer 200 then); throws only when
   * it could not be stored.
   */
  receive(event: ZaloEvent): Promise<ReceiveOutcome>;
  /** Re-run accepted-but-unprocessed events (start-up and periodically). */
  replayPending(opts?: { olderThanMs?: number; limit?: number }): Promise<inbox.ProcessPendingResult>;
  /** Resolves when nothing is being processed (tests, graceful shutdown). */
  idle(): Promise<void>;
}

import { createWorkTracker } from "../work-tracker.ts";

/** Events younger than this may still be in flight in some instance: replays leave them alone. */
export const DEFAULT_REPLAY_AGE_MS = 60_000;

export interface ZaloProcessorDeps {
  prisma: PrismaClient;
  conversation: ConversationPort;
  sender: ZaloSender;
  logger: Logger;
  /** Reads photos of receipt slips; without it a picture gets the menu. */
  photos?: ZaloPhotoReader;
  now?: () => Date;
}

export function createZaloProcessor(deps: ZaloProcessorDeps): ZaloEventProcessor {
  const { prisma, logger } = deps;
  const now = deps.now ?? (() => new Date());
  // One user's events run one after another in this process.
  const { serialised, track, idle } = createWorkTracker();

  /** Record the citizen's activity: Zalo's reply window runs from their last message. */
  async function touch(userId: string, at: Date): Promise<void> {
    await prisma.$executeRaw`
      INSERT INTO "ChannelAccount" ("channel", "platformUserId", "lastInboundAt")
      VALUES ('zalo'::"Channel", ${userId}, ${at})
      ON CONFLICT ("channel", "platformUserId") DO UPDATE SET
        "lastInboundAt" = GREATEST(COALESCE("ChannelAccount"."lastInboundAt", EXCLUDED."lastInboundAt"), EXCLUDED."lastInboundAt"),
        "blockedAt" = NULL,
        "blockedReason" = NULL`;
  }

  async function converse(e: ZaloEvent, userId: string, msg: InboundMessage): Promise<void> {
    const log = logger.child({ channel: "zalo", event: e.event_name, externalId: externalIdOf(e) });
    const replies = await deps.conversation.handle(msg);
    if (!replies.length) return;
    const outcome = await deps.sender.send(userId, replies);
    if (outcome.ok) return;
    switch (outcome.kind) {
      case "blocked":
        log.info({ code: outcome.code }, "Zalo user cannot receive; replies dropped");
        await prisma.channelAccount.updateMany({
          where: { channel: "zalo", platformUserId: userId },
          data: { blockedAt: now(), blockedReason: `zalo ${outcome.code ?? ""}`.trim() },
        });
        return;
      case "window_closed":
        // Should not happen right after the citizen wrote; nothing to retry.
        log.warn({ code: outcome.code }, "Zalo refused a reply by a window rule; replies dropped");
        return;
      case "permanent":
        log.error({ code: outcome.code, error: outcome.message }, "Zalo refused a reply; replies dropped");
        return;
      case "rate_limited":
      case "temporary":
        // Leave the event in the inbox: processPending retries it later.
        throw new Error(`Zalo send failed (${outcome.kind}${outcome.code ? ` ${outcome.code}` : ""}): ${outcome.message}`);
    }
  }

  async function handle(e: ZaloEvent): Promise<void> {
    const kind = eventKind(e);
    const userId = userOf(e);
    if (!kind || !userId) return;
    const at = eventTime(e, now());
    const base = { channel: "zalo" as const, userId, at };
    switch (kind) {
      case "text":
        await touch(userId, at);
        await converse(e, userId, { ...base, input: inboundFromText(e.message?.text ?? "") });
        return;
      case "image":
        await touch(userId, at);
        await converse(e, userId, {
          ...base,
          input: deps.photos ? await deps.photos.read(imageUrlOf(e)) : { kind: "command", command: "menu", args: "" },
        });
        return;
      case "other_message":
        await touch(userId, at);
        await converse(e, userId, { ...base, input: { kind: "command", command: "menu", args: "" } });
        return;
      case "submit_info": {
        await touch(userId, at);
        const input = inboundFromSubmitInfo(e);
        if (!input) {
          logger.warn({ channel: "zalo", event: e.event_name }, "user_submit_info without a phone number; ignored");
          return;
        }
        await converse(e, userId, { ...base, input });
        return;
      }
      case "follow":
        // Following is not a message: it does not open the reply window, but it does undo an unfollow.
        await prisma.channelAccount.upsert({
          where: { channel_platformUserId: { channel: "zalo", platformUserId: userId } },
          create: { channel: "zalo", platformUserId: userId },
          update: { blockedAt: null, blockedReason: null },
        });
        return;
      case "unfollow":
        await prisma.channelAccount.upsert({
          where: { channel_platformUserId: { channel: "zalo", platformUserId: userId } },
          create: { channel: "zalo", platformUserId: userId, blockedAt: at, blockedReason: "unfollow" },
          update: { blockedAt: at, blockedReason: "unfollow" },
        });
        return;
      case "received":
        // Delivery receipts: the notices feature decides where they are recorded (TODO there).
        logger.debug({ channel: "zalo", msgIds: e.message?.msg_ids, trackingId: e.message?.tracking_id }, "Zalo delivery receipt");
        return;
    }
  }

  async function runAndMark(id: bigint, e: ZaloEvent): Promise<void> {
    try {
      await handle(e);
      await inbox.markProcessed(prisma, id);
    } catch (err) {
      logger.error({ err, channel: "zalo", event: e.event_name, externalId: externalIdOf(e) }, "Zalo event failed; left in the inbox for a retry");
      await inbox.markFailed(prisma, id, err).catch((e2: unknown) => logger.error({ err: e2 }, "could not record the failure"));
    }
  }

  return {
    async receive(event) {
      if (!eventKind(event)) return "ignored";
      const { id, duplicate } = await inbox.accept(prisma, "zalo", externalIdOf(event), event);
      if (duplicate) return "duplicate";
      const key = userOf(event) ?? `event:${externalIdOf(event)}`;
      void track(serialised(key, () => runAndMark(id, event)));
      return "accepted";
    },
    replayPending(opts = {}) {
      return track(
        inbox.processPending(
          prisma,
          async (u) => {
            const parsed = zaloEventSchema.safeParse(u.payload);
            if (!parsed.success) throw new Error(`stored Zalo event is malformed: ${parsed.error.issues[0]?.message ?? "invalid"}`);
            const e = parsed.data;
            logger.info({ channel: "zalo", externalId: u.externalId, attempt: u.attempts }, "replaying an unprocessed Zalo event");
            await serialised(userOf(e) ?? `event:${u.externalId}`, () => handle(e));
          },
          { channel: "zalo", olderThanMs: opts.olderThanMs ?? DEFAULT_REPLAY_AGE_MS, limit: opts.limit ?? 100 },
        ),
      );
    },
    idle,
  };
}
