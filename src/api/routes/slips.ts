// Receipt slips for staff (docs/slip.md): the QR image to print on the slip and a printable
// stub. Staff role (admins too); analysts get 403 — a slip link is a way to prove ownership.
import type { Request } from "express";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { canonicalCode } from "../../core/dossiers.ts";
import { AppError } from "../../core/errors.ts";
import { renderSlipQr, slipLink } from "../../core/slip/index.ts";
import type { ApiRoutes } from "../http.ts";
import { renderSlipStub, sendPage } from "../pages/slip.ts";

const codeParams = z.object({ code: z.string().min(1).max(100).describe("Dossier code, e.g. 000.00.15.H32-230112-0001") });
const qrQuery = z.object({ format: z.enum(["svg", "png"]).default("svg").describe("svg (vector, for printing) or png") });

export function slipRoutes(api: ApiRoutes, ctx: AppContext): void {
  /** The slip of a stored dossier: its code, appointment, unit, link and short code. */
  async function slipOf(rawCode: string, req: Request) {
    const code = canonicalCode(rawCode);
    const d = await ctx.prisma.dossier.findUnique({ where: { code }, select: { code: true, appointmentAt: true, unit: { select: { name: true } } } });
    if (!d) throw new AppError("not_found", `No dossier ${code}`);
    const shortCode = await ctx.slip.shortCode(d.code);
    if (!shortCode) throw new AppError("not_found", `No dossier ${code}`);
    // PUBLIC_URL in production; without it (a local demo) the address this request came to.
    const base = ctx.config.http.publicUrl ?? `${req.protocol}://${req.get("host") ?? "localhost"}`;
    const link = slipLink(base, ctx.slip.signer.createSlipToken(d.code, d.appointmentAt));
    return { ...d, shortCode, link };
  }

  api.add({
    method: "get",
    path: "/dossiers/{code}/slip-qr",
    summary: "QR image for the receipt slip: a signed link to /l/{token}, which offers Telegram and Zalo",
    tags: ["slips"],
    roles: ["staff"],
    params: codeParams,
    query: qrQuery,
    responseContent: {
      "image/svg+xml": { schema: { type: "string" } },
      "image/png": { schema: { type: "string", contentEncoding: "binary" } },
    },
    handler: async ({ params, query, req, res }) => {
      const slip = await slipOf(params.code, req);
      const headers = { "cache-control": "no-store", "x-content-type-options": "nosniff", "x-slip-link": slip.link };
      if (query.format === "png") res.status(200).set({ ...headers, "content-type": "image/png" }).send(await renderSlipQr(slip.link, "png"));
      else res.status(200).set({ ...headers, "content-type": "image/svg+xml; charset=utf-8" }).send(await renderSlipQr(slip.link, "svg"));
    },
  });

  api.add({
    method: "get",
    path: "/dossiers/{code}/slip",
    summary: "Printable slip stub (HTML): code, appointment date, the QR and one line of instructions in Vietnamese",
    tags: ["slips"],
    roles: ["staff"],
    params: codeParams,
    responseContent: { "text/html": { schema: { type: "string" } } },
    handler: async ({ params, req, res }) => {
      const slip = await slipOf(params.code, req);
      const qrSvg = await renderSlipQr(slip.link, "svg");
      sendPage(res, 200, renderSlipStub({ code: slip.code, appointmentAt: slip.appointmentAt, qrSvg, shortCode: slip.shortCode, unitName: slip.unit.name }));
    },
  });
}
