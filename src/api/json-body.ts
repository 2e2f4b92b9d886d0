// JSON request bodies, read only after the caller is authenticated, with one text rule for every
// route: the bytes must be UTF-8, nesting is bounded, and no string (value or key) may carry
// U+0000, other control characters (tab, line feed and carriage return are fine) or half of a
// surrogate pair. Such input is rejected with 400 and a code saying which rule it broke — never
// stripped silently, and never passed on to the database (which cannot hold U+0000 and would
// answer 500). See docs/admin-api.md, "Errors".
import { isUtf8 } from "node:buffer";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";

/** Deepest nesting of arrays/objects accepted (a dossier is 3 deep, a Telegram update about 8). */
export const MAX_JSON_DEPTH = 64;
/** Default body limit of a JSON API route. */
export const DEFAULT_JSON_LIMIT = 64 * 1024;

/** A client mistake in the request body: status and a stable machine code. */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "BodyError";
  }
}

/** Characters no text field may hold: C0/C1 controls except \t \n \r, and lone surrogates. */
const FORBIDDEN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|\p{Cs}/u;

export function hasForbiddenText(s: string): boolean {
  return FORBIDDEN_TEXT.test(s);
}

/** Deepest array/object nesting in a JSON text, counted outside string literals (no parse needed). */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Path (a.b.0) of the first string or key that breaks the text rule, or null. Iterative: no stack to overflow. */
export function findForbiddenText(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, ""]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (FORBIDDEN_TEXT.test(v)) return path || "(root)";
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], path ? `${path}.${i}` : String(i)]);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        if (FORBIDDEN_TEXT.test(k)) return p;
        stack.push([x, p]);
      }
    }
  }
  return null;
}

/**
 * The parse of one JSON request body with the rules above. Empty body → {} (as express.json).
 * Throws BodyError.
 */
export function parseJsonBody(buf: Buffer): unknown {
  if (!isUtf8(buf)) throw new BodyError(400, "invalid_utf8", "The body is not valid UTF-8");
  const text = buf.toString("utf8").replace(/^\uFEFF/, "");
  if (!text.trim()) return {};
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new BodyError(400, "too_deep", `The JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BodyError(400, "bad_request", "The body is not valid JSON");
  }
  const bad = findForbiddenText(value);
  if (bad) throw new BodyError(400, "invalid_text", `Text at ${bad} holds U+0000, a control character or half a surrogate pair (only tab, line feed and carriage return are allowed)`);
  return value;
}

const JSON_TYPES = ["application/json", "application/*+json"];

/**
 * JSON body middleware for a route whose caller is already authenticated. Content types other
 * than JSON leave req.body undefined (the route's schema then says what is missing).
 * Compressed bodies are inflated here, after authentication; the limit counts inflated bytes.
 */
export function jsonBody(opts: { limit?: number | string } = {}): RequestHandler {
  const raw = express.raw({ type: JSON_TYPES, limit: opts.limit ?? DEFAULT_JSON_LIMIT });
  return (req: Request, res: Response, next: NextFunction) => {
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (!Buffer.isBuffer(req.body)) {
        req.body = undefined;
        return next();
      }
      try {
        req.body = parseJsonBody(req.body);
        next();
      } catch (e) {
        next(e);
      }
    });
  };
}

/**
 * A request refused before its body was read (401, 403, 429): close the connection after the
 * answer, so that the unread body is neither buffered nor drained.
 */
export function closeIfBodyUnread(req: Request, res: Response): void {
  const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
  if (hasBody && !req.readableEnded) res.setHeader("connection", "close");
}

/** What PostgreSQL cannot hold in text or jsonb: U+0000 and lone surrogates. */
const UNSTORABLE = /\u0000|\p{Cs}/gu;

/**
 * A copy of a parsed JSON value (nesting already bounded) with every U+0000 and lone surrogate
 * replaced by U+FFFD, for platform deliveries that must be stored whatever they hold.
 */
export function replaceUnstorable(value: unknown): { value: unknown; changed: boolean } {
  let changed = false;
  const fix = (s: string) => {
    UNSTORABLE.lastIndex = 0;
    if (!UNSTORABLE.test(s)) return s;
    changed = true;
    UNSTORABLE.lastIndex = 0;
    return s.replace(UNSTORABLE, "\uFFFD");
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return fix(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [fix(k), walk(x)]));
    return v;
  };
  const out = walk(value);
  return { value: out, changed };
}

export type PlatformJson =
  | {
      ok: true;
      value: unknown;
      sanitised: boolean;
      /** The JSON text itself when it is what gets stored (valid UTF-8, nothing replaced): no need to serialise `value` again. */
      text?: string;
    }
  | { ok: false; reason: "too_deep" | "not_json" };

/**
 * U+0000 and lone surrogates can only come into a parsed value through \u escapes: decoding
 * UTF-8 never yields them (bad bytes become U+FFFD) and JSON refuses raw control characters.
 */
const UNSTORABLE_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * A platform delivery (Telegram update, Zalo event) that was already authenticated: it is stored
 * whatever text it holds (invalid UTF-8 decoded with U+FFFD, U+0000 and lone surrogates replaced
 * by U+FFFD), but JSON nested beyond MAX_JSON_DEPTH or not JSON at all cannot be handled and is
 * refused (the webhook acknowledges it as rejected, so that the platform does not redeliver it).
 */
export function readPlatformJson(raw: Buffer, parse: (text: string) => unknown = JSON.parse): PlatformJson {
  const text = raw.toString("utf8");
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return { ok: false, reason: "too_deep" };
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return { ok: false, reason: "not_json" };
  }
  const validUtf8 = isUtf8(raw);
  if (!UNSTORABLE_ESCAPE.test(text)) return validUtf8 ? { ok: true, value, sanitised: false, text } : { ok: true, value, sanitised: true };
  const fixed = replaceUnstorable(value);
  return { ok: true, value: fixed.value, sanitised: fixed.changed || !validUtf8 };
}
