// Security headers (helmet) worked out once: with the fixed options the service uses, every
// response gets the same headers, so helmet runs once at start-up against a recording response
// and each request then sets the recorded list — instead of a dozen middleware calls each time.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export function fixedHeaders(middleware: Middleware): RequestHandler {
  const set: [string, string | number | readonly string[]][] = [];
  const removed: string[] = [];
  let done = false;
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, value]);
      return recorder;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  middleware({ method: "GET", url: "/", headers: {} } as IncomingMessage, recorder as unknown as ServerResponse, (err) => {
    if (err) throw err;
    done = true;
  });
  // Helmet with fixed options calls next() at once; anything else would not be fixed headers.
  if (!done) throw new Error("security headers: the middleware did not finish synchronously");
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}
