// Survey versions (admin): list, current, publish a new version. Answers keep the version
// they were given under; see src/core/survey/definition.ts for the schema.
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { surveyDefinitionSchema } from "../../core/survey/definition.ts";
import { currentSurvey, listSurveys, publishSurvey, surveyJson, surveyVersionSchema } from "../../core/survey/versions.ts";
import type { ApiRoutes } from "../http.ts";

export function surveyRoutes(api: ApiRoutes, ctx: AppContext): void {
  const roles: ["admin"] = ["admin"];

  api.add({
    method: "get",
    path: "/surveys",
    summary: "All published survey versions, newest first (version 1 is seeded on first use)",
    tags: ["admin: surveys"],
    roles,
    response: z.object({ items: z.array(surveyVersionSchema) }),
    handler: async () => {
      const all = await listSurveys(ctx.prisma);
      const current = all[0]?.version ?? 0;
      return { items: all.map((v) => surveyJson(v, current)) };
    },
  });

  api.add({
    method: "get",
    path: "/surveys/current",
    summary: "The version new invitations are sent with",
    tags: ["admin: surveys"],
    roles,
    response: surveyVersionSchema,
    handler: async () => {
      const v = await currentSurvey(ctx.prisma);
      return surveyJson(v, v.version);
    },
  });

  api.add({
    method: "post",
    path: "/surveys",
    summary: "Publish a new survey version (validated; audit-logged); invitations sent from now on use it",
    tags: ["admin: surveys"],
    roles,
    // Validated by the service so the error lists every problem with its path.
    body: z.unknown(),
    bodyLimit: "256kb",
    requestContent: { "application/json": { schema: z.toJSONSchema(surveyDefinitionSchema, { io: "input", unrepresentable: "any" }) } },
    response: surveyVersionSchema,
    status: 201,
    handler: async ({ body, principal }) => {
      const v = await publishSurvey(ctx.prisma, body, principal.actor);
      return surveyJson(v, v.version);
    },
  });
}
