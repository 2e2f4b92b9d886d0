import { z } from "zod";
import { catalogueWarningSchema, dossierInputSchema, dossierViewSchema, statusEventSchema, type DossierView } from "../../core/dossier-schemas.ts";
import type { AppContext } from "../../app/context.ts";
import type { ApiRoutes } from "../http.ts";

const codeParams = z.object({ code: z.string().min(1).max(100).describe("Dossier code, e.g. 000.00.15.H32-230112-0001") });

/** The view an analyst gets: everything but who applied (docs/roles.md). */
export function withoutIdentity(d: DossierView): DossierView {
  return { ...d, applicant: null };
}

export function dossierRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "put",
    path: "/dossiers/{code}",
    summary: "Create or update one dossier (sync contract with the provincial one-stop software)",
    tags: ["dossiers"],
    roles: ["staff"],
    params: codeParams,
    body: dossierInputSchema,
    response: z.object({ created: z.boolean(), dossier: dossierViewSchema, warnings: z.array(catalogueWarningSchema) }),
    handler: async ({ params, body, principal, res }) => {
      const out = await ctx.dossiers.upsert(params.code, body, principal.actor);
      res.status(out.created ? 201 : 200);
      return out;
    },
  });

  api.add({
    method: "get",
    path: "/dossiers/{code}",
    summary: "One dossier with its deadline assessment and status history",
    tags: ["dossiers"],
    roles: ["staff", "analyst"],
    params: codeParams,
    response: dossierViewSchema,
    // Analysts work on pseudonymised data: the identity would let them re-identify feedback.
    handler: async ({ params, principal }) =>
      principal.role === "analyst" ? withoutIdentity(await ctx.dossiers.view(params.code)) : ctx.dossiers.readWithIdentity(params.code, principal.actor),
  });

  api.add({
    method: "post",
    path: "/dossiers/{code}/events",
    summary: "Record a status change (idempotent by eventId; out-of-order events are kept in history without moving the status back)",
    tags: ["dossiers"],
    roles: ["staff"],
    params: codeParams,
    body: statusEventSchema,
    response: z.object({ duplicate: z.boolean(), applied: z.boolean(), dossier: dossierViewSchema }),
    handler: async ({ params, body, principal, res }) => {
      const out = await ctx.dossiers.applyEvent(params.code, body, principal.actor);
      res.status(out.duplicate ? 200 : 201);
      return out;
    },
  });
}
