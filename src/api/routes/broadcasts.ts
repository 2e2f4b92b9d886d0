// Staff announcements (broadcasts) and the late apology. Domain logic: src/core/broadcasts
// and src/core/notices; delivery: src/core/delivery.
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { BroadcastService } from "../../core/broadcasts/service.ts";
import { broadcastInputSchema, broadcastSummarySchema, dryRunSchema, receiptSchema, type Receipt } from "../../core/broadcasts/schemas.ts";
import type { DeliveryChannel } from "../../core/delivery/engine.ts";
import type { QuietWindow } from "../../core/delivery/quiet-hours.ts";
import { dossierDateTime, plainString } from "../../core/dossier-schemas.ts";
import { enqueueApology } from "../../core/notices/index.ts";
import type { ApiRoutes } from "../http.ts";
import { pageSchema, paginate, paginationQuery } from "../pagination.ts";

const idParams = z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647).describe("Broadcast id") });
const receiptState = z.enum(["queued", "sending", "sent", "failed", "blocked", "skipped", "cancelled", "undeliverable"]);

export const broadcastDetailSchema = broadcastSummarySchema
  .extend({
    receipts: pageSchema(receiptSchema, "BroadcastReceiptPage").describe("Per-recipient receipts (?limit, ?cursor, ?state)"),
  })
  .meta({ id: "BroadcastDetail" });

export const createdSchema = z.object({ dryRun: z.literal(false), broadcast: broadcastSummarySchema }).meta({ id: "BroadcastCreated" });

const apologyBodySchema = z
  .object({
    reason: plainString().trim().min(1).max(2000).describe("Why the dossier is late (told to the citizen)"),
    newAppointmentAt: dossierDateTime.describe("The new appointment date (2000-01-01 up to one year ahead)"),
    eventId: plainString().trim().min(1).max(200).optional().describe("Idempotency key of the re-dating event (default: generated)"),
  })
  .meta({ id: "ApologyInput" });

export interface BroadcastRouteOptions {
  /** Default: BROADCAST_APPROVAL_THRESHOLD, else 1000. */
  approvalThreshold?: number;
  channels?: DeliveryChannel[];
  /** Default: QUIET_HOURS (the configuration's delivery section). */
  quietHours?: QuietWindow | null;
}

export function broadcastRoutes(api: ApiRoutes, ctx: AppContext, opts: BroadcastRouteOptions = {}): void {
  const service = new BroadcastService({
    prisma: ctx.prisma,
    logger: ctx.logger.child({ component: "broadcasts" }),
    approvalThreshold: opts.approvalThreshold ?? ctx.config.broadcasts.approvalThreshold ?? 1000,
    quietHours: opts.quietHours !== undefined ? opts.quietHours : ctx.config.delivery.quietHours,
    ...(opts.channels ? { channels: opts.channels } : {}),
  });
  const roles: ["staff"] = ["staff"];

  api.add({
    method: "post",
    path: "/broadcasts",
    summary:
      "Send an announcement to the citizens of matching dossiers (one message per channel account and dossier); dryRun counts and previews; large ones wait for approval",
    tags: ["broadcasts"],
    roles,
    body: broadcastInputSchema,
    // An explicit list may name up to 20,000 dossier codes.
    bodyLimit: "2mb",
    response: z.union([dryRunSchema, createdSchema]),
    handler: async ({ body, principal, res }) => {
      const out = await service.create(body, principal.actor);
      res.status(out.dryRun ? 200 : 201);
      return out;
    },
  });

  api.add({
    method: "get",
    path: "/broadcasts",
    summary: "Broadcasts, newest first, with counts per message state",
    tags: ["broadcasts"],
    roles,
    query: paginationQuery,
    response: pageSchema(broadcastSummarySchema, "BroadcastPage"),
    handler: async ({ query }) => paginate(query, z.int(), (b) => b.id, (after, take) => service.list({ after, take })),
  });

  api.add({
    method: "get",
    path: "/broadcasts/{id}",
    summary: "Status, counts per state, progress and per-recipient receipts of one broadcast",
    tags: ["broadcasts"],
    roles,
    params: idParams,
    query: paginationQuery.extend({ state: receiptState.optional().describe("Only receipts in this state") }),
    response: broadcastDetailSchema,
    handler: async ({ params, query }) => {
      const summary = await service.get(params.id);
      const receipts = await paginate(query, z.string().regex(/^\d{1,19}$/), (r: Receipt) => r.id, (after, take) =>
        service.receipts(params.id, { state: query.state }, { after, take }),
      );
      return { ...summary, receipts };
    },
  });

  api.add({
    method: "post",
    path: "/broadcasts/{id}/approve",
    summary: "Approve a large broadcast (by a different staff member than its creator; 409 otherwise)",
    tags: ["broadcasts"],
    roles,
    params: idParams,
    response: broadcastSummarySchema,
    handler: async ({ params, principal }) => service.approve(params.id, principal.actor),
  });

  api.add({
    method: "post",
    path: "/broadcasts/{id}/cancel",
    summary: "Cancel: queued messages are not sent; messages already being sent finish",
    tags: ["broadcasts"],
    roles,
    params: idParams,
    response: broadcastSummarySchema,
    handler: async ({ params, principal }) => service.cancel(params.id, principal.actor),
  });

  api.add({
    method: "post",
    path: "/dossiers/{code}/apology",
    summary:
      "Late dossier: record the new appointment date and send the citizen the apology with the reason (Decree 61/2018: at most once per dossier; 409 the second time)",
    tags: ["dossiers", "notices"],
    roles,
    params: z.object({ code: z.string().min(1).max(100).describe("Dossier code") }),
    body: apologyBodySchema,
    response: z.object({ code: z.string(), newAppointmentAt: z.string(), notifiedAccounts: z.int() }).meta({ id: "ApologyResult" }),
    status: 201,
    handler: async ({ params, body, principal }) =>
      ctx.dossiers.apologise(params.code, body, principal.actor, async (tx, dossierId) => {
        const deps = { prisma: ctx.prisma, calendar: ctx.calendar, logger: ctx.logger, ...(opts.channels ? { channels: opts.channels } : {}) };
        const r = await enqueueApology(deps, { dossierId, reason: body.reason, newAppointmentAt: new Date(body.newAppointmentAt), actor: principal.actor }, tx);
        return r.enqueued;
      }),
  });
}
