// Small typed route layer: each route declares its zod schemas once; they validate the
// request and generate the OpenAPI document (GET /api/v1/openapi.json).
import type { NextFunction, Request, RequestHandler, Response, Router } from "express";
import { closeIfBodyUnread, hasForbiddenText, jsonBody } from "./json-body.ts";
import { z } from "zod";
import type { Principal, Role } from "../core/api-keys.ts";
import { AppError, type ErrorCode } from "../core/errors.ts";
import { localizeErrorMessage, preferredLanguage } from "./error-messages.ts";

export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
};

export const errorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .meta({ id: "Error" });

/**
 * An error body `{ error: { code, message, details? } }`. The code is for programs; the message
 * is in the caller's language (Accept-Language: vi → Vietnamese, otherwise English).
 */
export function sendError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  const lang = preferredLanguage(res.req?.get("accept-language"));
  res
    .status(status)
    .set("content-language", lang)
    .json({ error: { code, message: localizeErrorMessage(code, message, lang), ...(details === undefined ? {} : { details }) } });
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  req: Request;
  res: Response;
}

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI-style path under /api/v1, e.g. /dossiers/{code} */
  path: string;
  summary: string;
  tags: string[];
  roles: Role[];
  params?: P;
  query?: Q;
  body?: B;
  /** Raw body routes (CSV upload, streamed downloads) describe their content themselves. */
  requestContent?: Record<string, { schema: unknown }>;
  responseContent?: Record<string, { schema: unknown }>;
  response?: R;
  status?: number;
  /** Largest JSON body accepted (default 64 KB); read only after the key is checked. */
  bodyLimit?: number | string;
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<z.infer<R> | void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRoute = RouteDef<any, any, any, any>;

export class ApiRoutes {
  readonly routes: AnyRoute[] = [];

  add<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(def: RouteDef<P, Q, B, R>): void {
    this.routes.push(def as AnyRoute);
  }

  /**
   * Mounts every route: the API key is checked first, before a byte of the body is read (no
   * parsing, no inflating for a stranger); then the role, then the JSON body with the route's
   * limit and the text rule (json-body.ts), then the schemas.
   */
  mount(router: Router, auth: MountAuth): void {
    for (const def of this.routes) {
      const expressPath = def.path.replace(/\{(\w+)\}/g, ":$1");
      const authorise: RequestHandler = async (req: Request, res: Response, next: NextFunction) => {
        try {
          const refused = auth.before ? await auth.before(req, res) : false;
          if (refused) return;
          const principal = await auth.authenticate(req);
          if (!principal) {
            closeIfBodyUnread(req, res);
            if (auth.onFailure && (await auth.onFailure(req, res))) return;
            return sendError(res, 401, "unauthorized", "Missing or invalid API key (Authorization: Bearer <key>)");
          }
          if (principal.role !== "admin" && !def.roles.includes(principal.role)) {
            closeIfBodyUnread(req, res);
            return sendError(res, 403, "forbidden", `This needs the ${def.roles.join(" or ")} role; your key has ${principal.role}`, {
              requiredRoles: [...new Set([...def.roles, "admin"])],
              role: principal.role,
            });
          }
          res.locals.principal = principal;
          next();
        } catch (err) {
          closeIfBodyUnread(req, res);
          next(err);
        }
      };
      const body: RequestHandler = def.body ? jsonBody({ limit: def.bodyLimit ?? DEFAULT_BODY_LIMIT }) : (_req, _res, next) => next();
      const handler: RequestHandler = async (req: Request, res: Response, next: NextFunction) => {
        try {
          const principal = res.locals.principal as Principal;
          const params = parse(def.params, req.params, "path parameters");
          const query = parse(def.query, req.query, "query");
          const body = def.body ? parse(def.body, req.body, "body") : undefined;
          const result = await def.handler({ params, query, body, principal, req, res });
          // A handler may pick the status itself (201 created vs 200 updated).
          if (res.headersSent) return;
          if (res.statusCode === 200 && def.status) res.status(def.status);
          if (result !== undefined) res.json(result);
          else res.status(res.statusCode === 200 ? 204 : res.statusCode).end();
        } catch (err) {
          next(err);
        }
      };
      router[def.method](expressPath, authorise, body, handler);
    }
  }
}

/** Default JSON body limit of an API route. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export interface MountAuth {
  authenticate(req: Request): Promise<Principal | null>;
  /** Runs before the key is checked; true = it answered (e.g. 429 for an IP over its failure limit). */
  before?(req: Request, res: Response): Promise<boolean>;
  /** Runs on a failed key; true = it answered instead of the 401. */
  onFailure?(req: Request, res: Response): Promise<boolean>;
}

/** Path parameters and query values obey the text rule too (a %00 in a code is a 400, not a 500). */
function checkText(value: unknown, where: string): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (hasForbiddenText(v)) throw new AppError("bad_request", `The ${where} hold U+0000 or a control character`);
    } else if (v && typeof v === "object") stack.push(...Object.keys(v), ...Object.values(v));
  }
}

function parse<T extends z.ZodType | undefined>(schema: T, value: unknown, where: string): T extends z.ZodType ? z.infer<T> : undefined {
  if (!schema) return undefined as never;
  if (where !== "body") checkText(value, where);
  const r = schema.safeParse(value);
  if (!r.success) {
    const details = r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new AppError(where === "body" ? "validation_failed" : "bad_request", `Invalid ${where}: ${details.map((d) => `${d.path || "(root)"} ${d.message}`).join("; ")}`, details);
  }
  return r.data as never;
}

/** OpenAPI 3.1 document built from the route table and zod's JSON Schema output. */
export function openApiDocument(routes: AnyRoute[], info: { title: string; version: string }): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  const toSchema = (s: z.ZodType, io: "input" | "output") => {
    const json = z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
    const defs = (json.$defs ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(defs)) components[k] = v;
    delete json.$defs;
    delete json.$schema;
    return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/'));
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [];
    for (const [where, s] of [["path", r.params], ["query", r.query]] as const) {
      if (!s) continue;
      const js = toSchema(s, "input") as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {}))
        parameters.push({ name, in: where, required: where === "path" || (js.required ?? []).includes(name), schema });
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: r.tags,
      security: [{ bearer: [] }],
      description: `Roles: ${[...new Set([...r.roles, "admin"])].join(", ")}`,
      parameters,
      responses: {
        [String(r.status ?? 200)]: {
          description: "OK",
          ...(r.responseContent ? { content: r.responseContent } : r.response ? { content: { "application/json": { schema: toSchema(r.response, "output") } } } : {}),
        },
        "400": { $ref: "#/components/responses/Error" },
        "401": { $ref: "#/components/responses/Error" },
        "403": { $ref: "#/components/responses/Error" },
        "404": { $ref: "#/components/responses/Error" },
        "422": { $ref: "#/components/responses/Error" },
      },
    };
    if (r.body || r.requestContent)
      op.requestBody = { required: true, content: r.requestContent ?? { "application/json": { schema: toSchema(r.body!, "input") } } };
    (paths["/api/v1" + r.path] ??= {})[r.method] = op;
  }
  components.Error = toSchema(errorBodySchema, "output");
  return {
    openapi: "3.1.0",
    info,
    servers: [{ url: "/" }],
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "API key (npm run cli -- api-key create)" } },
      responses: { Error: { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } } },
    },
  };
}
