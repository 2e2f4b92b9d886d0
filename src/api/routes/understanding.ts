// The learning loop for admins: messages the bot did not understand, labelled in one click;
// each label retrains the model without a restart.
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { INTENT_DESCRIPTIONS, listUnrecognised, unrecognisedItemSchema } from "../../core/conversation/learning-loop.ts";
import { INTENT_LABELS } from "../../core/conversation/understanding/labels.ts";
import type { ApiRoutes } from "../http.ts";
import { decodeCursor, encodeCursor, pageSchema, paginationQuery } from "../pagination.ts";

export function understandingRoutes(api: ApiRoutes, ctx: AppContext): void {
  const roles: ["admin"] = ["admin"];
  const tags = ["admin: understanding"];

  api.add({
    method: "get",
    path: "/understanding/intents",
    summary: "The intents a message can be labelled with, and what each means",
    tags,
    roles,
    response: z.object({ intents: z.array(z.object({ label: z.enum(INTENT_LABELS), description: z.string() })) }),
    handler: async () => ({ intents: INTENT_LABELS.map((label) => ({ label, description: INTENT_DESCRIPTIONS[label] })) }),
  });

  api.add({
    method: "get",
    path: "/understanding/unrecognised",
    summary: "Messages the bot did not understand or asked back about (masked), newest first",
    tags,
    roles,
    query: paginationQuery.extend({
      labelled: z
        .enum(["true", "false"])
        .transform((v) => v === "true")
        .optional()
        .describe("false: still to label; true: labelled; omit: all"),
    }),
    response: pageSchema(unrecognisedItemSchema, "UnrecognisedMessagePage"),
    handler: async ({ query }) => {
      const before = query.cursor ? decodeCursor(query.cursor, z.number().int()) : undefined;
      const page = await listUnrecognised(ctx.prisma, { labelled: query.labelled, limit: query.limit, before });
      return { items: page.items, nextCursor: page.more && page.last !== null ? encodeCursor(page.last) : null };
    },
  });

  api.add({
    method: "post",
    path: "/understanding/unrecognised/{id}/label",
    summary: "Label a message with an intent (audit-logged); the model retrains and the next answer uses it",
    tags,
    roles,
    params: z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647) }),
    body: z.object({ intent: z.enum(INTENT_LABELS) }),
    response: z.object({ item: unrecognisedItemSchema }),
    handler: async ({ params, body, principal }) => ({ item: await ctx.learning.label(params.id, body.intent, principal.actor) }),
  });
}
