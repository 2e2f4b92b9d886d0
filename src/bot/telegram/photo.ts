// A photo sent to the bot → the conversation's photo input: pick the photo size to fetch,
// getFile, download it from `${TELEGRAM_API_ROOT}/file/bot<token>/<file_path>` with limits,
// and let the slip-photo pool read the QR or barcode off the event loop.
import type { Api } from "grammy";
import type { Message } from "grammy/types";
import type { Inbound } from "../../core/conversation/types.ts";
import { MAX_PHOTO_BYTES, type SlipPhotoDecoder } from "../../core/slip/index.ts";
import type { Logger } from "../../logger.ts";
import { downloadLimited, photoInput } from "../photo-download.ts";

const IMAGE_DOCUMENT_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);

export interface TelegramPhotoFile {
  fileId: string;
  /** What Telegram announced (may be absent). */
  fileSize?: number;
}

/**
 * The file to read for a message with a photo, or null when the message has none. Of a
 * photo's sizes the largest under the limit; an image sent "as a file" (JPEG, PNG, WebP
 * document) as it is. A photo whose every size is over the limit is still returned (its
 * size is checked, and refused, before any download).
 */
export function photoFileOf(m: Message, maxBytes = MAX_PHOTO_BYTES): TelegramPhotoFile | null {
  if (m.photo?.length) {
    const sizes = [...m.photo].sort((a, b) => a.width * a.height - b.width * b.height);
    const fitting = sizes.filter((p) => p.file_size === undefined || p.file_size <= maxBytes);
    const chosen = fitting[fitting.length - 1] ?? sizes[0]!;
    return { fileId: chosen.file_id, ...(chosen.file_size !== undefined ? { fileSize: chosen.file_size } : {}) };
  }
  const doc = m.document;
  if (doc && doc.mime_type && IMAGE_DOCUMENT_TYPES.has(doc.mime_type))
    return { fileId: doc.file_id, ...(doc.file_size !== undefined ? { fileSize: doc.file_size } : {}) };
  return null;
}

export interface TelegramPhotoReader {
  /** The photo input for a file (payload null when it is too large, not an image, or unreadable). */
  read(api: Api, file: TelegramPhotoFile): Promise<Extract<Inbound, { kind: "photo" }>>;
}

export function createTelegramPhotoReader(deps: {
  token: string;
  apiRoot: string;
  decoder: SlipPhotoDecoder;
  logger: Logger;
  maxBytes?: number;
  timeoutMs?: number;
}): TelegramPhotoReader {
  const maxBytes = deps.maxBytes ?? MAX_PHOTO_BYTES;
  const root = deps.apiRoot.replace(/\/+$/, "");
  return {
    async read(api, file) {
      if (file.fileSize !== undefined && file.fileSize > maxBytes) return { kind: "photo", payload: null };
      // Network failures throw: the update stays in the inbox and is tried again.
      const info = await api.getFile(file.fileId);
      if (!info.file_path || (info.file_size !== undefined && info.file_size > maxBytes)) return { kind: "photo", payload: null };
      // The download URL contains the bot token: never log it.
      const got = await downloadLimited(`${root}/file/bot${deps.token}/${info.file_path.split("/").map(encodeURIComponent).join("/")}`, {
        maxBytes,
        ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      });
      if (!got.ok) {
        deps.logger.warn({ channel: "telegram", reason: got.reason, status: got.status }, "could not download a photo");
        if (got.reason === "http_error" && (got.status ?? 0) >= 500) throw new Error(`Telegram file download failed with HTTP ${got.status}`);
        return { kind: "photo", payload: null };
      }
      return photoInput(deps.decoder, got.bytes);
    },
  };
}
