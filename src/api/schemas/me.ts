// GET /api/v1/me: who the calling key is and what its role may open, so that a page shows
// only the tabs it can use (never reading the role out of a 403 message).
import { z } from "zod";

/** Areas of the dashboard and the API operation that decides each (see routes/me.ts). */
export const AREAS = {
  dossiers: "GET /dossiers",
  dossierWrite: "POST /dossiers/{code}/events",
  atRisk: "GET /dossiers/at-risk",
  broadcasts: "POST /broadcasts",
  stats: "GET /stats/satisfaction",
  feedback: "GET /feedback",
  exports: "GET /feedback/export",
  audit: "GET /audit-log",
  admin: "PUT /units/{code}",
  labelling: "GET /understanding/unrecognised",
} as const;
export type Area = keyof typeof AREAS;

export const meSchema = z
  .object({
    role: z.enum(["staff", "analyst", "admin"]),
    keyName: z.string().describe("The name given to the key when it was created"),
    actor: z.string().describe('How the audit log records this key ("api-key:3", "bootstrap")'),
    lang: z.enum(["vi", "en"]).describe("Language of error messages for this request (Accept-Language)"),
    can: z.record(z.enum(Object.keys(AREAS) as [Area, ...Area[]]), z.boolean()).describe("Areas this role may open"),
  })
  .meta({ id: "Me" });
export type Me = z.infer<typeof meSchema>;
