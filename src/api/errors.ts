// What an error thrown while serving a request means for the client. A client's mistake is never
// answered 500: body-parser failures, zod errors that escaped a route schema and database
// refusals caused by the values sent (too long, out of range, bytes the database cannot hold)
// are 4xx; a database that cannot be reached is 503 with Retry-After. Only what is left is 500.
import { ZodError } from "zod";
import { AppError } from "../core/errors.ts";
import { HTTP_STATUS } from "./http.ts";
import { BodyError } from "./json-body.ts";

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  /** Seconds, for 503 and 429. */
  retryAfter?: number;
}


/** Seconds a client is asked to wait while the database is unreachable. */
export const OUTAGE_RETRY_AFTER_S = 5;

/** PostgreSQL SQLSTATEs caused by the values a client sent. */
const VALUE_STATES: Record<string, string> = {
  "22001": "A text is longer than its column allows",
  "22003": "A number is out of range",
  "22007": "A date or time is not valid",
  "22008": "A date or time is out of range",
  "22021": "Text holds bytes the database cannot store (U+0000?)",
  "22P02": "A value has the wrong form",
  "22P05": "Text holds a character the database cannot store (U+0000?)",
  "22026": "A text is longer than its column allows",
  "54001": "The value is nested too deeply",
};

/** Prisma codes caused by the values a client sent. */
const PRISMA_VALUE_CODES: Record<string, string> = {
  P2000: "A value is too long for its column",
  P2005: "A value is invalid for its column",
  P2006: "A value is invalid for its column",
  P2007: "A value is invalid",
  P2019: "A value is invalid",
  P2020: "A number is out of range",
  P2033: "A number does not fit in 64 bits",
};

/** SQLSTATE classes / codes and driver error codes meaning "the database is not there". */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE", "57P01", "57P02", "57P03", "53300", "P1001", "P1002", "P1008", "P1017", "P2024"]);
const CONNECTION_MESSAGES = /Connection terminated|connection (is )?closed|Client has encountered a connection error|PGlite is closed|server closed the connection|terminating connection|Can't reach database server|Timed out fetching a new connection|the database system is (starting up|shutting down)|connect ECONNREFUSED/i;

interface ErrorLike {
  name?: string;
  code?: unknown;
  type?: string;
  status?: number;
  message?: string;
  meta?: { driverAdapterError?: { cause?: { originalCode?: string; code?: string; kind?: string; severity?: string } } };
  /** A driver's own error (the statements of db/sql.ts that bypass Prisma): "ERROR", "FATAL" … */
  severity?: string;
  cause?: unknown;
}

function databaseState(e: ErrorLike): string | undefined {
  const c = e.meta?.driverAdapterError?.cause;
  if (c) return c.originalCode ?? c.code;
  // The driver's error itself carries the SQLSTATE in `code`.
  if (typeof e.severity === "string" && typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return undefined;
}

/** True when the error says the database could not be reached or dropped the connection. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as ErrorLike | undefined, i = 0; e && i < 5; e = e.cause as ErrorLike | undefined, i++) {
    if (typeof e.code === "string" && CONNECTION_CODES.has(e.code)) return true;
    const state = databaseState(e);
    if (state && (CONNECTION_CODES.has(state) || state.startsWith("08"))) return true;
    const cause = e.meta?.driverAdapterError?.cause;
    // FATAL ends the session: the server refused or dropped the connection (shutdown, no new connections, …).
    const severity = cause?.severity ?? e.severity;
    if (severity === "FATAL" || severity === "PANIC") return true;
    const kind = cause?.kind;
    if (kind === "DatabaseNotReachable" || kind === "ConnectionClosed" || kind === "SocketTimeout" || kind === "TooManyConnections") return true;
    if (typeof e.message === "string" && CONNECTION_MESSAGES.test(e.message)) return true;
    if (typeof e !== "object") break;
  }
  return false;
}

/** The answer for an error, or null when it is the server's own fault (500). */
export function classifyError(err: unknown): ErrorAnswer | null {
  if (err instanceof AppError) return { status: HTTP_STATUS[err.code], code: err.code, message: err.message, details: err.details };
  if (err instanceof BodyError) return { status: err.status, code: err.code, message: err.message };
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    return { status: 422, code: "validation_failed", message: `Invalid input: ${details.map((d) => `${d.path || "(root)"} ${d.message}`).join("; ")}`, details };
  }
  const e = (err ?? {}) as ErrorLike;
  // body-parser / raw-body
  switch (e.type) {
    case "entity.too.large":
      return { status: 413, code: "too_large", message: "The body is too large for this route" };
    case "entity.parse.failed":
      return { status: 400, code: "bad_request", message: "The body is not valid JSON" };
    case "encoding.unsupported":
      return { status: 415, code: "unsupported_media_type", message: "Unsupported Content-Encoding (gzip, deflate and br are accepted)" };
    case "charset.unsupported":
      return { status: 415, code: "unsupported_media_type", message: "Only UTF-8 is accepted" };
    case "request.aborted":
    case "request.size.invalid":
      return { status: 400, code: "bad_request", message: "The body ended before its announced length" };
  }
  if (isDatabaseUnavailable(err))
    return { status: 503, code: "unavailable", message: "The database is unavailable; try again shortly", retryAfter: OUTAGE_RETRY_AFTER_S };
  const state = databaseState(e);
  if (state && VALUE_STATES[state]) return { status: 400, code: "out_of_range", message: VALUE_STATES[state]! };
  if (state === "23505" || e.code === "P2002") return { status: 409, code: "conflict", message: "A concurrent request wrote the same record; retry" };
  if (state === "40001" || state === "40P01" || e.code === "P2034") return { status: 409, code: "conflict", message: "A concurrent request got in the way; retry" };
  if (typeof e.code === "string" && PRISMA_VALUE_CODES[e.code]) return { status: 400, code: "out_of_range", message: PRISMA_VALUE_CODES[e.code]! };
  if (e.name === "PrismaClientValidationError") return { status: 400, code: "bad_request", message: "A value has the wrong type or range" };
  if (typeof e.status === "number" && e.status >= 400 && e.status < 500) return { status: e.status, code: "bad_request", message: e.message ?? "Bad request" };
  return null;
}
