// Downloading a citizen's photo from a platform (Telegram file API, Zalo's image CDN) with
// limits: http(s) only, a size cap checked on the announced length and again while reading
// (a server may lie or omit it), and a time limit. Then the slip-photo pool reads it.
import type { Inbound } from "../core/conversation/types.ts";
import { MAX_PHOTO_BYTES, slipPayloadFromScan, type SlipPhotoDecoder } from "../core/slip/index.ts";

export type DownloadResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too_large" | "bad_url" | "http_error"; status?: number };

export interface DownloadLimits {
  maxBytes?: number;
  timeoutMs?: number;
}

/**
 * GET a URL into memory, at most `maxBytes`. Network failures and timeouts throw (the
 * caller's update stays in the inbox and is retried); a refusal or an oversize file is a value.
 */
export async function downloadLimited(url: string, limits: DownloadLimits = {}): Promise<DownloadResult> {
  const maxBytes = limits.maxBytes ?? MAX_PHOTO_BYTES;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "bad_url" };
  }
  if ((parsed.protocol !== "https:" && parsed.protocol !== "http:") || parsed.username || parsed.password) return { ok: false, reason: "bad_url" };
  const res = await fetch(parsed, { signal: AbortSignal.timeout(limits.timeoutMs ?? 20_000), redirect: "follow" });
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    return { ok: false, reason: "http_error", status: res.status };
  }
  const announced = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(announced) && announced > maxBytes) {
    await res.body.cancel().catch(() => {});
    return { ok: false, reason: "too_large" };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, reason: "too_large" };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, bytes };
}

/** Bytes of a photo → the conversation's photo input (payload null: nothing readable). */
export async function photoInput(decoder: SlipPhotoDecoder, bytes: Uint8Array | null): Promise<Extract<Inbound, { kind: "photo" }>> {
  if (!bytes) return { kind: "photo", payload: null };
  const scan = await decoder.decode(bytes);
  return { kind: "photo", payload: scan.ok ? slipPayloadFromScan(scan.text) : null };
}
