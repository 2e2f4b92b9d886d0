// Broadcast API shapes as zod schemas: they validate requests and generate the OpenAPI
// document (src/api/routes/broadcasts.ts).
import { z } from "zod";
import { statusSchema } from "../dossier-schemas.ts";

const offsetDateTime = z.iso.datetime({ offset: true }).describe("ISO 8601 instant with offset, e.g. 2026-03-02T08:00:00+07:00");
const code = z.string().trim().min(1).max(64);
export const deliveryChannelSchema = z.enum(["telegram", "zalo", "web"]).describe("web: the /try page of the demo (demo data only)");

export const audienceSchema = z
  .object({
    unitCodes: z.array(code).min(1).max(1000).optional().describe("Dossiers received by these units"),
    fieldCodes: z.array(code).min(1).max(1000).optional().describe("Dossiers of procedures in these fields (lĩnh vực)"),
    procedureCodes: z.array(code).min(1).max(1000).optional(),
    statuses: z.array(statusSchema).min(1).max(10).optional(),
    readySince: offsetDateTime.optional().describe("Result ready (status 9, not yet returned) at or after this instant"),
    readyBefore: offsetDateTime.optional().describe("Result ready (status 9, not yet returned) before this instant: results waiting to be collected"),
    channels: z.array(deliveryChannelSchema).min(1).optional().describe("Only accounts on these channels"),
    dossierCodes: z.array(z.string().trim().min(1).max(100)).min(1).max(20_000).optional().describe("An explicit list (any spelling of the codes)"),
  })
  .strict()
  .meta({ id: "BroadcastAudience" });
export type Audience = z.infer<typeof audienceSchema>;

export const broadcastInputSchema = z
  .object({
    text: z
      .string()
      .trim()
      .min(1)
      .max(3500)
      .describe("Message text; {code}, {procedure}, {unit} and {appointment} are filled per dossier"),
    audience: audienceSchema,
    channels: z.array(deliveryChannelSchema).min(1).optional().describe("Channels to send on (default: all)"),
    urgent: z.boolean().default(false).describe("Ignores quiet hours and announcement opt-outs (never Zalo's 22:00–06:00 rule)"),
    dryRun: z.boolean().default(false).describe("Count and preview only; nothing is stored or sent"),
    scheduledAt: offsetDateTime.optional().describe("Send at this instant (later if it falls in quiet hours)"),
  })
  .meta({ id: "BroadcastInput" });
export type BroadcastInput = z.infer<typeof broadcastInputSchema>;

export const previewSchema = z.object({ channel: deliveryChannelSchema, dossierCode: z.string(), text: z.string() });

export const dryRunSchema = z
  .object({
    dryRun: z.literal(true),
    audienceCount: z.int().describe("Messages that would be sent: one per (channel account, dossier)"),
    byChannel: z.object({ telegram: z.int(), zalo: z.int(), web: z.int() }),
    skipped: z.object({ blocked: z.int(), optedOut: z.int() }).describe("Linked accounts left out"),
    requiresApproval: z.boolean(),
    preview: z.array(previewSchema).describe("The first three rendered messages"),
  })
  .meta({ id: "BroadcastDryRun" });

export const stateCountsSchema = z.object({
  queued: z.int(),
  sending: z.int(),
  sent: z.int(),
  failed: z.int(),
  blocked: z.int(),
  skipped: z.int(),
  cancelled: z.int(),
  undeliverable: z.int(),
});
export type StateCounts = z.infer<typeof stateCountsSchema>;

export const broadcastStatusSchema = z.enum(["draft", "awaiting_approval", "scheduled", "sending", "done", "cancelled"]);

export const broadcastSummarySchema = z
  .object({
    id: z.int(),
    status: broadcastStatusSchema,
    text: z.string(),
    audience: z.unknown(),
    channels: z.array(z.string()),
    urgent: z.boolean(),
    createdBy: z.string(),
    approvedBy: z.string().nullable(),
    audienceCount: z.int(),
    scheduledAt: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    counts: stateCountsSchema,
    progress: z.number().describe("Share of messages in a final state, in %"),
  })
  .meta({ id: "Broadcast" });
export type BroadcastSummary = z.infer<typeof broadcastSummarySchema>;

export const receiptSchema = z
  .object({
    id: z.string(),
    channel: z.string(),
    user: z.string().describe("Platform user id, masked"),
    dossierCode: z.string().nullable(),
    state: z.string(),
    error: z.string().nullable().describe("The platform's reason for failed/blocked/undeliverable, or why it was skipped"),
    attempts: z.int(),
    via: z.enum(["chat", "zns"]).nullable(),
    notBefore: z.string(),
    sentAt: z.string().nullable(),
  })
  .meta({ id: "BroadcastReceipt" });
export type Receipt = z.infer<typeof receiptSchema>;
