// A request id on every request (a well-formed X-Request-Id is kept) and one access-log line per
// request when it ends: request id, method, path without the query, status, duration in ms —
// no headers, no bodies. Level: error for 5xx, warn for 4xx, info otherwise.
//
// This replaced pino-http: it built two child loggers per request, serialising the request for
// each, whether or not the line would be written — 1.4% of a webhook update's CPU (bench/webhook.ts
// profile). The line has the fields pino-http wrote, under the same names.
import { randomUUID } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "../logger.ts";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface AccessLogOptions {
  /** Requests that get an id but no line (health checks, scrapes). */
  ignore?: (req: Request) => boolean;
}

export function accessLog(logger: Logger, opts: AccessLogOptions = {}): RequestHandler {
  return (req, res, next) => {
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader("x-request-id", id);
    (req as Request & { id?: string }).id = id;
    if (opts.ignore?.(req)) return next();
    const started = Date.now();
    const path = (req.originalUrl ?? req.url ?? "").split("?")[0];
    const method = req.method;
    let written = false;
    const done = (): void => {
      if (written) return;
      written = true;
      res.off("finish", done);
      res.off("close", done);
      write(logger, res, { id, method, path }, Date.now() - started);
    };
    res.on("finish", done);
    res.on("close", done);
    next();
  };
}

function write(logger: Logger, res: Response, req: { id: string; method: string; path: string | undefined }, responseTime: number): void {
  const status = res.statusCode;
  // A connection closed before the answer was written out: say so rather than claim its status.
  const aborted = !res.writableFinished;
  const line = { req, res: { status }, responseTime, ...(aborted ? { aborted: true } : {}) };
  if (status >= 500) logger.error(line, "request errored");
  else if (status >= 400) logger.warn(line, "request completed");
  else logger.info(line, aborted ? "request aborted" : "request completed");
}
