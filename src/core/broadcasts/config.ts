// Broadcast settings from the environment, parsed once with a readable error.
import { z } from "zod";

const schema = z.object({
  BROADCAST_APPROVAL_THRESHOLD: z.coerce
    .number()
    .int()
    .min(1, "BROADCAST_APPROVAL_THRESHOLD must be a positive whole number")
    .default(1000)
    .describe("Broadcasts with at least this many messages need a second staff member's approval"),
});

export function broadcastSettings(env: NodeJS.ProcessEnv = process.env): { approvalThreshold: number } {
  const r = schema.safeParse({ BROADCAST_APPROVAL_THRESHOLD: env.BROADCAST_APPROVAL_THRESHOLD || undefined });
  if (!r.success) throw new Error(`Configuration error: ${r.error.issues[0]?.message ?? "BROADCAST_APPROVAL_THRESHOLD is invalid"}`);
  return { approvalThreshold: r.data.BROADCAST_APPROVAL_THRESHOLD };
}
