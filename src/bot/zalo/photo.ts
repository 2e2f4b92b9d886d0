// A picture sent to the Official Account (user_send_image) → the conversation's photo input:
// download the image Zalo hosts, with limits, and let the slip-photo pool read the QR or
// barcode off the event loop. The URL comes from a webhook whose signature was checked;
// still only http(s) is fetched, at most MAX_PHOTO_BYTES, within a time limit.
import type { Inbound } from "../../core/conversation/types.ts";
import { MAX_PHOTO_BYTES, type SlipPhotoDecoder } from "../../core/slip/index.ts";
import type { Logger } from "../../logger.ts";
import { downloadLimited, photoInput } from "../photo-download.ts";

export interface ZaloPhotoReader {
  /** The photo input for an image URL (payload null when absent, too large, not an image, or unreadable). */
  read(url: string | null): Promise<Extract<Inbound, { kind: "photo" }>>;
}

export function createZaloPhotoReader(deps: { decoder: SlipPhotoDecoder; logger: Logger; maxBytes?: number; timeoutMs?: number }): ZaloPhotoReader {
  return {
    async read(url) {
      if (!url) return { kind: "photo", payload: null };
      // Network failures throw: the event stays in the inbox and is replayed.
      const got = await downloadLimited(url, { maxBytes: deps.maxBytes ?? MAX_PHOTO_BYTES, ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}) });
      if (!got.ok) {
        deps.logger.warn({ channel: "zalo", reason: got.reason, status: got.status }, "could not download a picture");
        if (got.reason === "http_error" && (got.status ?? 0) >= 500) throw new Error(`Zalo image download failed with HTTP ${got.status}`);
        return { kind: "photo", payload: null };
      }
      return photoInput(deps.decoder, got.bytes);
    },
  };
}
