// A photo of the receipt slip sent on Telegram or Zalo: the update arrives, the adapter
// fetches the picture (Telegram getFile + file download; Zalo's image URL), the decoding
// threads read the QR, and the conversation gets { kind: "photo", payload }. What the
// conversation answers is the lead's part; a recording conversation stands in for it.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboundMessage, Reply } from "../../src/core/conversation/types.ts";
import { slipLink } from "../../src/core/slip/qr.ts";
import { citizen, updates } from "../fakes/telegram-server.ts";
import { zaloEvents } from "../fakes/zalo-server.ts";
import { startTelegramHarness, type TelegramHarness } from "../telegram/harness.ts";
import { startZaloHarness, type ZaloHarness } from "../zalo/harness.ts";
import { generateSlipPhotos, type SlipPhoto } from "./photo-generator.ts";

const CODE = "000.00.15.H32-230112-0001";
const received: InboundMessage[] = [];
const conversation = {
  async handle(msg: InboundMessage): Promise<Reply[]> {
    received.push(msg);
    return [{ kind: "text", text: "đã nhận ảnh" }];
  },
};

let token: string;
let photo: SlipPhoto;
let barcodePhoto: SlipPhoto;

async function slipPhotos(qrText: string): Promise<SlipPhoto[]> {
  const out: SlipPhoto[] = [];
  // Seed chosen so that the first photo is a QR photo and the tenth a barcode photo (the generator's rule).
  for await (const p of generateSlipPhotos([{ qrText, code: CODE }], { count: 10, seed: 42, maxSide: 1600 })) out.push(p);
  return out;
}

const lastInput = (channel: string, userId: string) => received.filter((m) => m.channel === channel && m.userId === userId).at(-1)?.input;

describe("Telegram: a photo of the slip", () => {
  let h: TelegramHarness;
  beforeAll(async () => {
    h = await startTelegramHarness(() => conversation, { SLIP_SECRET: "slip-secret-for-tests-0123456789" });
    token = h.svc.ctx.slip.signer.createSlipToken(CODE, new Date(Date.now() + 5 * 86_400_000));
    const photos = await slipPhotos(slipLink("https://hoso.example.gov.vn", token));
    photo = photos[0]!;
    barcodePhoto = photos[9]!;
    expect(photo.kind).toBe("qr");
    expect(barcodePhoto.kind).toBe("code128");
  });
  afterAll(async () => {
    await h?.svc.ctx.slip.decoder.close();
    await h?.close();
  });

  it("fetches the largest size through getFile and hands on the slip token", async () => {
    const small = await sharp(photo.image).resize(320).jpeg().toBuffer();
    const thumb = h.fake.addFile(small);
    const full = h.fake.addFile(photo.image);
    const user = citizen(810_001);
    await h.deliver(updates.photo(user, [{ ...thumb, width: 320, height: 240 }, { ...full, width: photo.meta.width, height: photo.meta.height }]));
    expect(lastInput("telegram", String(user.id))).toEqual({ kind: "photo", payload: token });
    expect(h.fake.sent("getFile").map((c) => c.body.file_id)).toEqual([full.file_id]);
    expect(h.fake.downloads).toHaveLength(1);
    expect(h.fake.texts(user.id)).toEqual(["đã nhận ảnh"]);
  });

  it("reads a slip whose only symbol is a Code 128 barcode of the dossier code", async () => {
    const f = h.fake.addFile(barcodePhoto.image);
    const user = citizen(810_002);
    await h.deliver(updates.photo(user, [{ ...f, width: barcodePhoto.meta.width, height: barcodePhoto.meta.height }]));
    expect(lastInput("telegram", String(user.id))).toEqual({ kind: "photo", payload: CODE });
  });

  it("reads an image sent as a file (PNG document)", async () => {
    const png = await sharp(photo.image).png().toBuffer();
    const f = h.fake.addFile(png);
    const user = citizen(810_003);
    await h.deliver(updates.document(user, f, "image/png"));
    expect(lastInput("telegram", String(user.id))).toEqual({ kind: "photo", payload: token });
  });

  it("hands on null for a photo without a code, and for a file that is not an image", async () => {
    const blank = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#d0c8b0" } }).jpeg().toBuffer();
    const a = citizen(810_004);
    const f1 = h.fake.addFile(blank);
    await h.deliver(updates.photo(a, [{ ...f1, width: 800, height: 600 }]));
    expect(lastInput("telegram", String(a.id))).toEqual({ kind: "photo", payload: null });

    const b = citizen(810_005);
    const f2 = h.fake.addFile(new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"));
    await h.deliver(updates.document(b, f2, "image/jpeg"));
    expect(lastInput("telegram", String(b.id))).toEqual({ kind: "photo", payload: null });
  });

  it("refuses a photo over 10 MB: announced (no download at all) or found out on download", async () => {
    h.fake.reset();
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set([0xff, 0xd8, 0xff], 0);
    const a = citizen(810_006);
    const announced = h.fake.addFile(big);
    await h.deliver(updates.photo(a, [{ ...announced, width: 4000, height: 3000 }]));
    expect(lastInput("telegram", String(a.id))).toEqual({ kind: "photo", payload: null });
    expect(h.fake.sent("getFile")).toHaveLength(0);

    const b = citizen(810_007);
    const silent = h.fake.addFile(big, { announcedSize: null });
    await h.deliver(updates.photo(b, [{ ...silent, width: 4000, height: 3000 }]));
    expect(lastInput("telegram", String(b.id))).toEqual({ kind: "photo", payload: null });
  });
});

describe("Zalo: a picture of the slip", () => {
  let h: ZaloHarness;
  beforeAll(async () => {
    h = await startZaloHarness({ conversation: () => conversation, env: { SLIP_SECRET: "slip-secret-for-tests-0123456789" } });
    token ??= h.svc.ctx.slip.signer.createSlipToken(CODE, new Date(Date.now() + 5 * 86_400_000));
    photo ??= (await slipPhotos(slipLink("https://hoso.example.gov.vn", token)))[0]!;
  });
  afterAll(async () => {
    await h?.svc.ctx.slip.decoder.close();
    await h?.close();
  });

  it("downloads the image of a user_send_image event and hands on the slip token", async () => {
    const user = "8512345678901234001";
    const url = h.fake.hostImage(photo.image);
    await h.deliver(zaloEvents.image(user, url));
    expect(lastInput("zalo", user)).toEqual({ kind: "photo", payload: token });
    expect(h.fake.imageDownloads).toContain(new URL(url).pathname);
    expect(h.fake.texts(user)).toEqual(["đã nhận ảnh"]);
  });

  it("hands on null when the image is gone or is not a picture", async () => {
    const a = "8512345678901234002";
    await h.deliver(zaloEvents.image(a, h.fake.hostImage(photo.image, { status: 404 })));
    expect(lastInput("zalo", a)).toEqual({ kind: "photo", payload: null });
    const b = "8512345678901234003";
    await h.deliver(zaloEvents.image(b, h.fake.hostImage(new TextEncoder().encode("GIF89a not really"))));
    expect(lastInput("zalo", b)).toEqual({ kind: "photo", payload: null });
  });

  it("keeps the event in the inbox when the image host fails, so a replay reads it later", async () => {
    const user = "8512345678901234004";
    const event = zaloEvents.image(user, h.fake.hostImage(photo.image, { status: 503 }));
    await h.deliver(event);
    expect(lastInput("zalo", user)).toBeUndefined();
    const row = await h.svc.ctx.prisma.inboundUpdate.findUnique({ where: { channel_externalId: { channel: "zalo", externalId: event.message.msg_id } } });
    expect(row?.processedAt).toBeNull();
    expect(row?.lastError).toMatch(/HTTP 503/);
  });
});
