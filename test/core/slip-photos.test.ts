// Reading photos of receipt slips: the decode rate on a generated set (rate only — time is
// bench/slip-photos.ts's business), the input checks, and the worker pool that keeps
// decoding off the event loop.
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { createSlipDecodePool, SlipDecoderBusyError } from "../../src/core/slip/decode-pool.ts";
import { decodeSlipPhoto, MAX_PHOTO_BYTES, sniffPhotoType } from "../../src/core/slip/photo.ts";
import { renderSlipQr, slipLink } from "../../src/core/slip/qr.ts";
import { createSlipSigner } from "../../src/core/slip/token.ts";
import { generateSlipPhotos, type SlipPhoto } from "../slip/photo-generator.ts";

const signer = createSlipSigner("slip-secret-for-tests-0123456789");
const codes = ["000.00.15.H32-230112-0001", "000.17.22.H56-210531-0417", "000.00.06.H56-231027-0361"];
const subjects = codes.map((code) => ({ code, qrText: slipLink("https://hoso.camranh.gov.vn", signer.createSlipToken(code, new Date("2026-03-02T02:00:00Z"))) }));

async function photos(count: number, seed: number, maxSide: number): Promise<SlipPhoto[]> {
  const out: SlipPhoto[] = [];
  for await (const p of generateSlipPhotos(subjects, { count, seed, maxSide })) out.push(p);
  return out;
}

describe("reading slip photos", () => {
  it("reads at least 90% of 40 generated phone photos (rotated, tilted, blurred, unevenly lit, JPEG 40–95)", async () => {
    const set = await photos(40, 11, 2048);
    expect(set.filter((p) => p.kind === "code128").length).toBe(4);
    expect(Math.max(...set.map((p) => Math.abs(p.meta.angle)))).toBeGreaterThan(20);
    expect(Math.min(...set.map((p) => p.meta.quality))).toBeLessThan(50);
    let read = 0;
    const wrong: string[] = [];
    for (const p of set) {
      const r = await decodeSlipPhoto(p.image);
      if (r.ok && r.text === p.expected) read++;
      // A misread (a different text) would be worse than no read: there must be none.
      else if (r.ok) wrong.push(`${p.name}: ${r.text}`);
    }
    expect(wrong).toEqual([]);
    expect(read / set.length).toBeGreaterThanOrEqual(0.9);
  });

  it("reads the clean QR image the API serves", async () => {
    const r = await decodeSlipPhoto(await renderSlipQr(subjects[0]!.qrText, "png"));
    expect(r).toMatchObject({ ok: true, text: subjects[0]!.qrText, symbol: "qr" });
  });

  it("checks type and size before decoding", async () => {
    expect(sniffPhotoType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe("jpeg");
    expect(sniffPhotoType(new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 "))).toBe("webp");
    expect(sniffPhotoType(new TextEncoder().encode("GIF89a"))).toBeNull();
    expect(sniffPhotoType(new TextEncoder().encode("<svg"))).toBeNull();

    expect(await decodeSlipPhoto(new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toMatchObject({ ok: false, reason: "not_an_image" });
    const tooLarge = new Uint8Array(MAX_PHOTO_BYTES + 1);
    tooLarge.set([0xff, 0xd8, 0xff]);
    expect(await decodeSlipPhoto(tooLarge)).toMatchObject({ ok: false, reason: "too_large" });
    // A truncated JPEG: the right magic bytes, broken data.
    const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#fff" } }).jpeg().toBuffer();
    expect(await decodeSlipPhoto(jpeg.subarray(0, 200))).toMatchObject({ ok: false, reason: "not_an_image" });
    // 8000 × 6000 = 48 megapixels: refused from the header, before decoding.
    const huge = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: "#fff" } }).greyscale().png({ compressionLevel: 9 }).toBuffer();
    expect(huge.length).toBeLessThan(MAX_PHOTO_BYTES);
    expect(await decodeSlipPhoto(huge)).toMatchObject({ ok: false, reason: "too_many_pixels" });
  });
});

describe("the decoding pool", () => {
  const pools: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const p of pools) await p.close();
  });

  it("decodes in worker threads while the event loop keeps serving", async () => {
    const pool = createSlipDecodePool({ workers: 1, maxQueued: 8 });
    pools.push(pool);
    const [p] = await photos(1, 5, 1600);
    const pending = pool.decode(p!.image);
    // The loop runs timers while the photo is being read elsewhere.
    let ticks = 0;
    let settled = false;
    void pending.then(() => (settled = true));
    while (!settled) {
      await new Promise((r) => setTimeout(r, 1));
      ticks++;
    }
    expect(ticks).toBeGreaterThan(1);
    expect(await pending).toMatchObject({ ok: true, text: p!.expected });
  });

  it("refuses work beyond its bounded queue at once, and still answers what it took", async () => {
    const pool = createSlipDecodePool({ workers: 1, maxQueued: 2 });
    pools.push(pool);
    const image = await renderSlipQr(subjects[1]!.qrText, "png");
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => pool.decode(image)));
    const busy = results.filter((r) => r.status === "rejected");
    expect(busy).toHaveLength(2);
    for (const r of busy) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(SlipDecoderBusyError);
    for (const r of results.filter((x) => x.status === "fulfilled")) expect((r as PromiseFulfilledResult<{ ok: boolean }>).value.ok).toBe(true);
    expect(pool.load()).toEqual({ running: 0, queued: 0 });
  });

  it("gives up on a photo that takes too long, and the next photo is read by a fresh thread", async () => {
    const pool = createSlipDecodePool({ workers: 1, maxQueued: 4, timeoutMs: 1 });
    pools.push(pool);
    const image = await renderSlipQr(subjects[2]!.qrText, "png");
    expect(await pool.decode(image)).toMatchObject({ ok: false });
    const relaxed = createSlipDecodePool({ workers: 1, timeoutMs: 30_000 });
    pools.push(relaxed);
    expect(await relaxed.decode(image)).toMatchObject({ ok: true, text: subjects[2]!.qrText });
  });

  it("answers waiting photos as unreadable when closed", async () => {
    const pool = createSlipDecodePool({ workers: 1, maxQueued: 4 });
    const image = await renderSlipQr(subjects[0]!.qrText, "png");
    const all = [pool.decode(image), pool.decode(image), pool.decode(image)];
    await pool.close();
    const results = await Promise.all(all);
    expect(results.filter((r) => !r.ok).length).toBeGreaterThanOrEqual(2);
    expect(await pool.decode(image)).toMatchObject({ ok: false });
  });
});
