// Small typed route layer: each route declares its zod schemas once; they validate the
// request and generate the OpenAPI document (GET /api/v1/openapi.json).
import type { NextFunction, Request, RequestHandler, Response, Router } from "express";
import { z } from "zod";
import type { Principal, Role } from "../core/api-keys.ts";
import { CONTROL_CHARS } from "../core/dossier-schemas.ts";
import { AppError, type ErrorCode } from "../core/errors.ts";

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

export function sendError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  res.status(status).json({ error: { code, message, ...(details === undefined ? {} : { details }) } });
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
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<z.infer<R> | void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRoute = RouteDef<any, any, any, any>;

export class ApiRoutes {
  readonly routes: AnyRoute[] = [];

  add<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(def: RouteDef<P, Q, B, R>): void {
    this.routes.push(def as AnyRoute);
  }

  mount(router: Router, authenticate: (req: Request) => Promise<Principal | null>): void {
    for (const def of this.routes) {
      const expressPath = def.path.replace(/\{(\w+)\}/g, ":$1");
      const handler: RequestHandler = async (req: Request, res: Response, next: NextFunction) => {
        try {
          const principal = await authenticate(req);
          if (!principal) return sendError(res, 401, "unauthorized", "Missing or invalid API key (Authorization: Bearer <key>)");
          if (principal.role !== "admin" && !def.roles.includes(principal.role))
            return sendError(res, 403, "forbidden", `This needs the ${def.roles.join(" or ")} role; your key has ${principal.role}`);
          // One rule for every route: text with control characters is refused, never stripped.
          const bad = controlCharPath(req.body) ?? controlCharPath(req.query);
          if (bad !== undefined)
            throw new AppError("validation_failed", `Invalid request: ${bad || "(root)"} contains a control character or invalid Unicode`, [
              { path: bad, message: "must not contain control characters (U+0000–U+001F other than tab and line breaks, U+007F) or invalid Unicode" },
            ]);
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
      router[def.method](expressPath, handler);
    }
  }
}

/** Path of the first string (or key) in a parsed body with a control character; iterative, so any depth is safe. */
export function controlCharPath(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, ""]];
  let visited = 0;
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (++visited > 1_000_000) return undefined;
    if (typeof v === "string") {
      if (CONTROL_CHARS.test(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], path ? `${path}.${i}` : String(i)]);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (CONTROL_CHARS.test(k)) return path;
        stack.push([x, path ? `${path}.${k}` : k]);
      }
    }
  }
  return undefined;
}

function parse<T extends z.ZodType | undefined>(schema: T, value: unknown, where: string): T extends z.ZodType ? z.infer<T> : undefined {
  if (!schema) return undefined as never;
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
