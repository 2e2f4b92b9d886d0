// GET /api/v1/me — the calling key's role, name and the areas it may open. The areas are read
// off the route table itself, so a role change on a route shows here without a second list.
import type { AppContext } from "../../app/context.ts";
import { preferredLanguage } from "../error-messages.ts";
import type { ApiRoutes } from "../http.ts";
import { AREAS, meSchema, type Area } from "../schemas/me.ts";

export function meRoutes(api: ApiRoutes, _ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/me",
    summary: "The calling key: role, name, and which areas (tabs) its role may open",
    tags: ["me"],
    roles: ["staff", "analyst", "admin"],
    response: meSchema,
    handler: async ({ principal, req }) => {
      const can = {} as Record<Area, boolean>;
      for (const [area, op] of Object.entries(AREAS) as [Area, string][]) {
        const [method, path] = op.split(" ") as [string, string];
        const route = api.routes.find((r) => r.method === method.toLowerCase() && r.path === path);
        can[area] = route !== undefined && (principal.role === "admin" || (route.roles as string[]).includes(principal.role));
      }
      return { role: principal.role, keyName: principal.name, actor: principal.actor, lang: preferredLanguage(req.get("accept-language")), can };
    },
  });
}
