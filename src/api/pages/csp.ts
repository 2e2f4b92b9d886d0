// Content-Security-Policy for a page served with inline <script> and <style> blocks: each block
// is allowed by its SHA-256 hash (computed once, when the page is rendered at start-up), never by
// 'unsafe-inline'. Pages that load their script as a file use script-src 'self' instead.
import { createHash } from "node:crypto";

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The hashes of the inline scripts (not JSON data blocks, not src=) and styles in the HTML. */
export function inlineHashes(html: string): { scripts: string[]; styles: string[] } {
  const scripts = [...html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)]
    .filter((m) => !/\bsrc\s*=|type\s*=\s*"application\/(ld\+)?json"/i.test(m[1] ?? ""))
    .map((m) => sha256(m[2]!));
  const styles = [...html.matchAll(/<style(\s[^>]*)?>([\s\S]*?)<\/style>/gi)].map((m) => sha256(m[2]!));
  return { scripts, styles };
}

/**
 * A strict policy for the page: nothing but its own inline blocks (by hash), `connect-src`
 * as given, no framing, no <base>, no form posts elsewhere.
 */
export function pageCsp(html: string, opts: { connect?: string[]; scriptFiles?: boolean; images?: string[] } = {}): string {
  const { scripts, styles } = inlineHashes(html);
  const scriptSrc = [...(opts.scriptFiles ? ["'self'"] : []), ...scripts];
  return [
    "default-src 'none'",
    ...(scriptSrc.length ? [`script-src ${scriptSrc.join(" ")}`] : []),
    ...(styles.length ? [`style-src ${styles.join(" ")}`] : []),
    ...(opts.images?.length ? [`img-src ${opts.images.join(" ")}`] : []),
    ...(opts.connect?.length ? [`connect-src ${opts.connect.join(" ")}`] : []),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
