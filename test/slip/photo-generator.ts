// Seeded, deterministic "phone photos" of receipt slips, for the decode-rate test and
// bench/slip-photos.ts. Each photo starts from a real QR image — the PNG that
// GET /api/v1/dossiers/{code}/slip-qr serves (renderSlipQr) — pasted into a slip laid out
// like our printable stub (title and text lines, the QR at about a third of the slip's
// width), or, for some, a Code 128 barcode of the dossier code as provincial slips print.
// The slip is then photographed: placed on a table, rotated up to 30°, tilted in
// perspective, lit unevenly (gradient, vignette, a shadow band), defocused, given sensor
// noise, and saved as JPEG (quality 40–95), WebP or PNG at phone sizes up to 4000 px.
import bwipjs from "bwip-js";
import sharp from "sharp";
import { renderSlipQr } from "../../src/core/slip/qr.ts";
import { seededRandom } from "../../src/core/kernel/random.ts";

export interface SlipPhoto {
  name: string;
  image: Buffer;
  format: "jpeg" | "webp" | "png";
  /** What a correct decode returns: the QR text, or the dossier code for a barcode slip. */
  expected: string;
  kind: "qr" | "code128";
  meta: { width: number; height: number; angle: number; tilt: number; blur: number; quality: number; slipFraction: number };
}

export interface SlipSubject {
  /** Text of the QR (the slip link). */
  qrText: string;
  /** Canonical dossier code (barcode slips). */
  code: string;
}

export const prng = seededRandom;

interface Gray {
  w: number;
  h: number;
  px: Uint8Array;
}

async function grayFromImage(png: Buffer): Promise<Gray> {
  const { data, info } = await sharp(png).grayscale().raw().toBuffer({ resolveWithObject: true });
  return { w: info.width, h: info.height, px: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
}

function fillRect(g: Gray, x0: number, y0: number, w: number, h: number, v: number): void {
  for (let y = Math.max(0, y0); y < Math.min(g.h, y0 + h); y++) g.px.fill(v, y * g.w + Math.max(0, x0), y * g.w + Math.min(g.w, x0 + w));
}

function paste(dst: Gray, src: Gray, x0: number, y0: number, scale: number): void {
  const w = Math.round(src.w * scale);
  const h = Math.round(src.h * scale);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const dx = x0 + x;
      const dy = y0 + y;
      if (dx < 0 || dy < 0 || dx >= dst.w || dy >= dst.h) continue;
      dst.px[dy * dst.w + dx] = src.px[Math.floor(y / scale) * src.w + Math.floor(x / scale)]!;
    }
}

/** Lines of "text": dark dashes of word-like lengths. */
function textLines(g: Gray, rnd: () => number, x0: number, y0: number, width: number, lines: number, lineH: number, v = 40): void {
  for (let l = 0; l < lines; l++) {
    let x = x0;
    const end = x0 + width * (0.55 + rnd() * 0.45);
    while (x < end) {
      const word = Math.round(lineH * (1 + rnd() * 4));
      fillRect(g, x, y0 + l * lineH * 1.9, Math.min(word, end - x), lineH, v);
      x += word + Math.round(lineH * 0.6);
    }
  }
}

/** The slip as printed: 1000 px wide (≈ A6 at 170 dpi), white paper, the QR or a barcode. */
async function renderSlip(subject: SlipSubject, kind: "qr" | "code128", rnd: () => number): Promise<Gray> {
  const w = 1000;
  const h = 1400;
  const g: Gray = { w, h, px: new Uint8Array(w * h).fill(248) };
  fillRect(g, 80, 70, 840, 34, 30); // title
  textLines(g, rnd, 80, 150, 840, 4, 16);
  if (kind === "qr") {
    const qr = await grayFromImage(await renderSlipQr(subject.qrText, "png", { scale: 1 }));
    // About a third of the slip's width, as the printable stub prints it.
    const scale = Math.max(1, Math.floor(360 / qr.w));
    paste(g, qr, Math.round((w - qr.w * scale) / 2), 330, scale);
    textLines(g, rnd, 80, 330 + qr.h * scale + 50, 840, 3, 14);
  } else {
    // Printed at 3 px per bar module with a 10-module quiet zone: ~924 px, never resampled
    // (a printer draws every bar at its true width).
    const png = await bwipjs.toBuffer({ bcid: "code128", text: subject.code, scale: 3, height: 18, includetext: false, paddingwidth: 10, paddingheight: 6, backgroundcolor: "FFFFFF" });
    const bar = await grayFromImage(png);
    if (bar.w > w) throw new Error(`barcode of ${subject.code} is wider than the slip`);
    paste(g, bar, Math.round((w - bar.w) / 2), 420, 1);
    textLines(g, rnd, 80, 700, 840, 6, 14);
  }
  textLines(g, rnd, 80, 1180, 840, 3, 14);
  return g;
}

/** Solve the 8 unknowns of the homography mapping `from` corners onto `to` corners. */
function homography(from: [number, number][], to: [number, number][]): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return [...a.map((row, i) => row[8]! / row[i]!), 1];
}

/** Photograph the slip: table, pose, light, optics, sensor, file. */
async function photograph(slip: Gray, rnd: () => number, o: { width: number; height: number; angle: number; tilt: number; slipFraction: number; blur: number; quality: number; format: SlipPhoto["format"] }): Promise<Buffer> {
  const { width: W, height: H } = o;
  // Pose: the slip's rectangle, scaled into the frame, rotated, then its corners pushed
  // towards or away from the camera (perspective).
  const s = (o.slipFraction * Math.min(W / slip.w, H / slip.h));
  const cx = W / 2 + (rnd() - 0.5) * W * (1 - o.slipFraction) * 0.5;
  const cy = H / 2 + (rnd() - 0.5) * H * (1 - o.slipFraction) * 0.5;
  const rad = (o.angle * Math.PI) / 180;
  const half = [(slip.w * s) / 2, (slip.h * s) / 2] as const;
  const tiltX = (rnd() < 0.5 ? -1 : 1) * o.tilt;
  const tiltY = (rnd() - 0.5) * o.tilt;
  const corners: [number, number][] = [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ].map(([sx, sy]) => {
    // A tilt shrinks the far edge: top vs bottom (tiltX) and left vs right (tiltY).
    const k = 1 + sy! * tiltX * 0.5 + sx! * tiltY * 0.5;
    const x = sx! * half[0] * k;
    const y = sy! * half[1] * (1 + sx! * tiltY * 0.2);
    return [cx + x * Math.cos(rad) - y * Math.sin(rad), cy + x * Math.sin(rad) + y * Math.cos(rad)];
  });
  const hm = homography(corners, [
    [0, 0],
    [slip.w - 1, 0],
    [slip.w - 1, slip.h - 1],
    [0, slip.h - 1],
  ]);
  // Light: a linear gradient in a random direction, a vignette, sometimes a shadow band.
  const gDir = rnd() * Math.PI * 2;
  const gStrength = 0.15 + rnd() * 0.35;
  const shadow = rnd() < 0.4 ? { pos: rnd(), width: 0.1 + rnd() * 0.25, depth: 0.25 + rnd() * 0.3, dir: rnd() * Math.PI } : null;
  const table = 70 + rnd() * 90;
  const px = new Uint8Array(W * H);
  const diag = Math.hypot(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = hm[6]! * x + hm[7]! * y + 1;
      const u = (hm[0]! * x + hm[1]! * y + hm[2]!) / d;
      const v = (hm[3]! * x + hm[4]! * y + hm[5]!) / d;
      let val: number;
      if (u >= 0 && v >= 0 && u < slip.w - 1 && v < slip.h - 1) {
        const x0 = u | 0;
        const y0 = v | 0;
        const fx = u - x0;
        const fy = v - y0;
        const i = y0 * slip.w + x0;
        const p = slip.px;
        val = (p[i]! * (1 - fx) + p[i + 1]! * fx) * (1 - fy) + (p[i + slip.w]! * (1 - fx) + p[i + slip.w + 1]! * fx) * fy;
      } else {
        val = table;
      }
      const nx = (x - W / 2) / diag;
      const ny = (y - H / 2) / diag;
      let light = 1 - gStrength * (0.5 + nx * Math.cos(gDir) + ny * Math.sin(gDir)) - 0.6 * (nx * nx + ny * ny);
      if (shadow) {
        const t = (x / W) * Math.cos(shadow.dir) + (y / H) * Math.sin(shadow.dir);
        const dist = Math.abs(t - shadow.pos) / shadow.width;
        if (dist < 1) light *= 1 - shadow.depth * (1 - dist * dist);
      }
      px[y * W + x] = Math.max(0, Math.min(255, val * light));
    }
  }
  // Optics (defocus) then sensor noise, in colour with a warm cast, then the file.
  const blurred = o.blur >= 0.3 ? await sharp(px, { raw: { width: W, height: H, channels: 1 } }).blur(o.blur).extractChannel(0).raw().toBuffer() : Buffer.from(px);
  const rgb = Buffer.alloc(W * H * 3);
  const sigma = 2 + rnd() * 5;
  const tint = [1, 0.96, 0.88];
  // One draw per pixel (luminance noise) keeps 12-megapixel photos quick to make.
  for (let i = 0; i < W * H; i++) {
    const base = blurred[i]!;
    const noise = (rnd() - 0.5) * sigma * 3.4;
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.max(0, Math.min(255, base * tint[c]! + noise));
  }
  const img = sharp(rgb, { raw: { width: W, height: H, channels: 3 } });
  if (o.format === "webp") return img.webp({ quality: o.quality }).toBuffer();
  if (o.format === "png") return img.png({ compressionLevel: 3 }).toBuffer();
  return img.jpeg({ quality: o.quality }).toBuffer();
}

const SIZES: [number, number][] = [
  [800, 600],
  [1280, 960],
  [1280, 720],
  [1600, 1200],
  [2048, 1536],
  [2560, 1920],
  [3000, 2250],
  [4000, 3000],
];

/**
 * `count` photos, the same for the same seed. Every tenth photo is a barcode slip. Sizes
 * above `maxSide` are skipped (the test keeps to smaller photos; the benchmark uses all).
 */
export async function* generateSlipPhotos(subjects: SlipSubject[], o: { count: number; seed: number; maxSide?: number }): AsyncGenerator<SlipPhoto> {
  const rnd = prng(o.seed);
  const sizes = SIZES.filter(([w]) => w <= (o.maxSide ?? 4000));
  for (let i = 0; i < o.count; i++) {
    const subject = subjects[i % subjects.length]!;
    const kind = i % 10 === 9 ? "code128" : "qr";
    const slip = await renderSlip(subject, kind, rnd);
    // A barcode has ~300 narrow bars across the slip: people photograph those closer and
    // larger (at least 1600 px, the slip filling most of the frame).
    const pool = kind === "code128" ? sizes.filter(([w]) => w >= 1600) : sizes;
    let [width, height] = (pool.length ? pool : sizes)[Math.floor(rnd() * (pool.length || sizes.length))]!;
    if (rnd() < 0.5) [width, height] = [height, width];
    const angle = Math.round((rnd() * 60 - 30) * 10) / 10;
    const tilt = Math.round(rnd() * 0.35 * 100) / 100;
    const slipFraction = Math.round(((kind === "code128" ? 0.8 : 0.45) + rnd() * (kind === "code128" ? 0.15 : 0.5)) * 100) / 100;
    // Defocus scaled to the photo: up to 40% of the symbol's module on the photo (a QR
    // module is 8 px of the 1000-px slip, a barcode bar 3 px).
    const slipScale = slipFraction * Math.min(width / 1000, height / 1400);
    const modulePx = slipScale * (kind === "qr" ? 8 : 3);
    const blur = Math.round(rnd() * Math.max(0.3, modulePx * 0.4) * 100) / 100;
    const r = rnd();
    // Phones send JPEG; some apps WebP; PNG only for small images (screenshots).
    const format: SlipPhoto["format"] = r < 0.85 || (r >= 0.95 && width * height > 1280 * 960) ? "jpeg" : r < 0.95 ? "webp" : "png";
    const quality = 40 + Math.floor(rnd() * 56);
    const image = await photograph(slip, rnd, { width, height, angle, tilt, slipFraction, blur, quality, format });
    yield {
      name: `slip-${o.seed}-${String(i).padStart(3, "0")}-${kind}-${width}x${height}-a${angle}-t${tilt}-b${blur}-q${quality}.${format === "jpeg" ? "jpg" : format}`,
      image,
      format,
      expected: kind === "qr" ? subject.qrText : subject.code,
      kind,
      meta: { width, height, angle, tilt, blur, quality, slipFraction },
    };
  }
}
