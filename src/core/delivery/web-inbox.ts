// The "web" channel is the /try page of the demo: a message for it is "sent" by recording it as
// sent, and the page collects what was sent to its session (GET /try/api/updates). So notices
// and broadcasts (dry run, approval, sending, receipts, cancel) can be tried end to end with no
// Telegram or Zalo token.
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Reply } from "../conversation/types.ts";
import { outboundPayloadSchema } from "./engine.ts";
import type { ChannelSender, SendOutcome } from "./types.ts";

export class WebSender implements ChannelSender {
  readonly channel = "web" as const;

  async send(): Promise<SendOutcome> {
    // Nothing to call: the row the engine marks as sent is what the page reads.
    return { ok: true };
  }
}

export interface WebUpdate {
  id: string;
  kind: string;
  sentAt: string;
  replies: Reply[];
}

export const webUpdatesQuerySchema = z.object({
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  after: z
    .string()
    .regex(/^\d{1,19}$/)
    .optional(),
});

/** Messages sent to the /try session `sessionId` after message id `after`, oldest first. */
export async function webUpdates(prisma: PrismaClient, sessionId: string, after?: string): Promise<WebUpdate[]> {
  const rows = await prisma.outboundMessage.findMany({
    where: {
      channel: "web",
      state: "sent",
      account: { channel: "web", platformUserId: sessionId },
      ...(after ? { id: { gt: BigInt(after) } } : {}),
    },
    orderBy: { id: "asc" },
    take: 50,
    select: { id: true, kind: true, sentAt: true, payload: true },
  });
  const out: WebUpdate[] = [];
  for (const r of rows) {
    const p = outboundPayloadSchema.safeParse(r.payload);
    // A body removed by retention has nothing left to show.
    if (!p.success) continue;
    out.push({ id: String(r.id), kind: r.kind, sentAt: (r.sentAt ?? new Date()).toISOString(), replies: p.data.replies as Reply[] });
  }
  return out;
}
