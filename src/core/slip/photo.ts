/**
 * Reading a phone photo of a receipt slip: the QR we print (a `/l/<token>` link) or, on
 * slips printed by the provincial software, a Code 128 barcode of the dossier code.
 *
 * Libraries, chosen by measurement on the generated photos of test/slip (bench/slip-photos.ts;
 * figures in docs/slip.md):
 * - sharp (libvips, prebuilt binaries from the npm registry) decodes JPEG/PNG/WebP, applies
 *   the EXIF orientation, converts to grey and downsizes — 10–20× faster than the pure-JS
 *   decoders of jimp on 12-megapixel photos, and it refuses images above a pixel limit
 *   before decoding them.
 * - zxing-wasm (ZXing-C++ compiled to WebAssembly) finds the symbol: it read every QR photo
 *   that jsQR read, in about two thirds of the time, and it also reads Code 128, which jsQR
 *   cannot; @zxing/library (the JavaScript port) read fewer photos and was slower. The .wasm
 *   file ships in the npm package and is loaded from node_modules, never from a CDN.
 *
 * This module is CPU-bound (sharp runs on libuv threads, the symbol search synchronously in
 * WebAssembly): the service calls it through the worker pool of decode-pool.ts, never on the
 * event loop that serves chats.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import sharp, { type Metadata } from "sharp";
import { prepareZXingModule, readBarcodes, type ReadResult, type ReaderOptions } from "zxing-wasm/reader";
import { decodeStartPayload, extractDossierCode, normalizeDossierCode } from "../dossier-code.ts";
import { tokenFromSlipLink } from "./qr.ts";
import { looksLikeSlipToken } from "./token.ts";

/** Telegram's own limit for files a bot may download is 20 MB; a slip photo needs far less. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTO_PIXELS = 40_000_000;

export type PhotoType = "jpeg" | "png" | "webp";

export type PhotoFailure =
  /** More than MAX_PHOTO_BYTES. */
  | "too_large"
  /** Not JPEG, PNG or WebP by its first bytes (or a broken file of those types). */
  | "not_an_image"
  /** More than MAX_PHOTO_PIXELS. */
  | "too_many_pixels"
  /** A readable image without a QR or barcode we could read. */
  | "no_code";

export type PhotoScan = { ok: true; text: string; symbol: "qr" | "code128"; ms: number } | { ok: false; reason: PhotoFailure; ms: number };

/** The image type by magic bytes: JPEG FF D8 FF, PNG 89 50 4E 47 0D 0A 1A 0A, WebP RIFF….WEBP. */
export function sniffPhotoType(buf: Uint8Array): PhotoType | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return "jpeg";
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (buf.length >= 8 && png.every((b, i) => buf[i] === b)) return "png";
  const ascii = (from: number, to: number) => String.fromCharCode(...buf.subarray(from, to));
  if (buf.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  return null;
}

let zxingReady: Promise<unknown> | undefined;

/** Load the ZXing WebAssembly module from node_modules (once per thread). */
function ensureZxing(): Promise<unknown> {
  zxingReady ??= (async () => {
    const file = createRequire(import.meta.url).resolve("zxing-wasm/reader/zxing_reader.wasm");
    const bytes = await readFile(file);
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  })();
  return zxingReady;
}

export interface Gray {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Grey pixels, EXIF-upright, the long side at most `maxSide` (one decode of the file). */
async function grey(image: Uint8Array, maxSide: number): Promise<Gray> {
  // autoOrient applies the EXIF orientation; JPEGs shrink while loading when much larger.
  const { data, info } = await sharp(image, { limitInputPixels: MAX_PHOTO_PIXELS, failOn: "error", autoOrient: true })
    .grayscale()
    // A plain linear kernel: edges stay sharp enough for the detector at a fraction of lanczos's cost.
    .resize({ width: maxSide, height: maxSide, fit: "inside", withoutEnlargement: true, kernel: "linear" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), width: info.width, height: info.height };
}

/**
 * The dominant edge direction of a photo folded into (−45°, 45°]: the angle by which the
 * slip (its outline, text lines and barcode bars) is turned. A magnitude-weighted histogram
 * of Sobel gradient directions over every second pixel, smoothed over ±2°.
 */
export function skewDegrees(g: Gray): number {
  const bins = new Float64Array(90);
  const { data, width: w, height: h } = g;
  for (let y = 1; y < h - 1; y += 2) {
    for (let x = 1; x < w - 1; x += 2) {
      const i = y * w + x;
      const gx = data[i - w + 1]! + 2 * data[i + 1]! + data[i + w + 1]! - data[i - w - 1]! - 2 * data[i - 1]! - data[i + w - 1]!;
      const gy = data[i + w - 1]! + 2 * data[i + w]! + data[i + w + 1]! - data[i - w - 1]! - 2 * data[i - w]! - data[i - w + 1]!;
      const mag = Math.abs(gx) + Math.abs(gy);
      if (mag < 120) continue;
      // Direction modulo 90°: bars, text lines and the slip's outline all vote for the same bin.
      let deg = (Math.atan2(gy, gx) * 180) / Math.PI;
      deg = ((deg % 90) + 90) % 90;
      bins[Math.min(89, Math.round(deg) % 90)]! += mag;
    }
  }
  let best = 0;
  let bestScore = -1;
  for (let b = 0; b < 90; b++) {
    let score = 0;
    for (let d = -2; d <= 2; d++) score += bins[(b + d + 90) % 90]! * (3 - Math.abs(d));
    if (score > bestScore) {
      bestScore = score;
      best = b;
    }
  }
  return best > 45 ? best - 90 : best;
}

/** A smaller and/or turned copy of grey pixels. */
async function derive(g: Gray, maxSide: number, rotate = 0): Promise<Gray> {
  let s = sharp(g.data, { raw: { width: g.width, height: g.height, channels: 1 } });
  if (Math.max(g.width, g.height) > maxSide) s = s.resize({ width: maxSide, height: maxSide, fit: "inside" });
  if (rotate) s = s.rotate(rotate, { background: "#ffffff" });
  const { data, info } = await s.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), width: info.width, height: info.height };
}

async function scan(g: Gray, options: ReaderOptions): Promise<ReadResult[]> {
  await ensureZxing();
  // zxing-wasm takes RGBA (ImageData-shaped) pixels and makes them grey again itself.
  const rgba = new Uint8ClampedArray(g.width * g.height * 4);
  for (let i = 0, j = 0; i < g.data.length; i++, j += 4) {
    const v = g.data[i]!;
    rgba[j] = v;
    rgba[j + 1] = v;
    rgba[j + 2] = v;
    rgba[j + 3] = 255;
  }
  const imageData = { data: rgba, width: g.width, height: g.height, colorSpace: "srgb" } as unknown as ImageData;
  return readBarcodes(imageData, options);
}

/** The first result that is our kind of content: a slip link or start payload, else a dossier code. */
function pick(results: ReadResult[]): { text: string; symbol: "qr" | "code128" } | null {
  const usable = results.filter((r) => r.isValid && r.text);
  const qr = usable.find((r) => r.format === "QRCode" && slipPayloadFromScan(r.text) !== null) ?? usable.find((r) => r.format === "QRCode");
  if (qr) return { text: qr.text, symbol: "qr" };
  const bar = usable.find((r) => r.format === "Code128" && extractDossierCode(r.text) !== null);
  return bar ? { text: bar.text, symbol: "code128" } : null;
}

const BOTH: ReaderOptions = { formats: ["QRCode", "Code128"], tryHarder: true, tryRotate: false, tryInvert: false, maxNumberOfSymbols: 4 };
const BARCODE_ONLY: ReaderOptions = { formats: ["Code128"], tryHarder: true, tryRotate: true, tryInvert: false, maxNumberOfSymbols: 2 };

/**
 * The QR text (or the Code 128 text) of a slip photo: cheap passes first, larger or turned
 * copies only when they fail (see the steps below).
 */
export async function decodeSlipPhoto(image: Uint8Array): Promise<PhotoScan> {
  const t0 = performance.now();
  const done = (r: { text: string; symbol: "qr" | "code128" } | null): PhotoScan =>
    r ? { ok: true, ...r, ms: performance.now() - t0 } : { ok: false, reason: "no_code", ms: performance.now() - t0 };
  if (image.length > MAX_PHOTO_BYTES) return { ok: false, reason: "too_large", ms: 0 };
  if (!sniffPhotoType(image)) return { ok: false, reason: "not_an_image", ms: 0 };
  let meta: Metadata;
  try {
    meta = await sharp(image, { limitInputPixels: false }).metadata();
  } catch {
    return { ok: false, reason: "not_an_image", ms: performance.now() - t0 };
  }
  if (!meta.width || !meta.height || !["jpeg", "png", "webp"].includes(meta.format ?? "")) return { ok: false, reason: "not_an_image", ms: performance.now() - t0 };
  if (meta.width * meta.height > MAX_PHOTO_PIXELS) return { ok: false, reason: "too_many_pixels", ms: performance.now() - t0 };
  try {
    // 1. The whole photo at 1200 px: reads nearly every QR and a straight barcode.
    const small = await grey(image, 1200);
    const first = pick(await scan(small, BOTH));
    if (first) return done(first);
    // 2. A barcode photographed askew: a 1D scan line must cross every bar, so turn the
    //    photo upright by the slip's own skew (its edges, text lines and bars agree on it).
    const skew = skewDegrees(small);
    if (Math.abs(skew) >= 2) {
      const r = pick(await scan(await derive(small, 1200, -skew), BARCODE_ONLY));
      if (r) return done(r);
    }
    // 3. More pixels, for a small symbol in a big photo.
    if (Math.max(meta.width, meta.height) > 1300) {
      const large = await grey(image, 2000);
      const r = pick(await scan(large, BOTH)) ?? (Math.abs(skew) >= 2 ? pick(await scan(await derive(large, 2000, -skew), BARCODE_ONLY)) : null);
      if (r) return done(r);
    }
    return done(null);
  } catch {
    // libvips refused the pixels (truncated or corrupt file).
    return { ok: false, reason: "not_an_image", ms: performance.now() - t0 };
  }
}

/**
 * What a scanned text means for linking, as the conversation's photo input carries it:
 * the slip token of a `/l/<token>` link (any host — the signature decides), the start
 * payload of a `t.me/<bot>?start=<payload>` link (a token, or a plain-code payload turned
 * into the canonical code), or a canonical dossier code found in the text (Code 128 on
 * provincial slips, QR codes that carry only the code). Null for anything else.
 */
export function slipPayloadFromScan(text: string): string | null {
  const trimmed = text.trim();
  const token = tokenFromSlipLink(trimmed);
  if (token && looksLikeSlipToken(token)) return token;
  const start = /^https?:\/\/(?:t\.me|telegram\.me)\/[A-Za-z0-9_]{3,64}\?start=([A-Za-z0-9_-]{1,64})$/i.exec(trimmed);
  if (start) {
    const payload = start[1]!;
    if (looksLikeSlipToken(payload)) return payload;
    return decodeStartPayload(payload);
  }
  if (looksLikeSlipToken(trimmed)) return trimmed;
  const whole = normalizeDossierCode(trimmed);
  if (whole.ok) return whole.code;
  return extractDossierCode(trimmed);
}
