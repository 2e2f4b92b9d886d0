// From the receipt slip to a linked chat, through the real conversation: the Telegram deep
// link (/start <token>) and the Zalo short code link after consent without the phone or ID
// step (proof "receipt_slip" in the link and the audit log) and end with the status card;
// a forged, altered or expired token and a wrong short code do not link, and wrong short
// codes count against the attempt limits; a photo of the slip continues like the link;
// with SLIP_PROOF=off the slip only fills in the code.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTelegram, type TelegramChannel } from "../../src/bot/telegram/index.ts";
import { startZalo, type ZaloChannel } from "../../src/bot/zalo/index.ts";
import { slipLink } from "../../src/core/slip/qr.ts";
import { createSlipSigner } from "../../src/core/slip/token.ts";
import { citizen, startFakeTelegram, updates, type FakeTelegram } from "../fakes/telegram-server.ts";
import { signedWebhook, startFakeZalo, zaloEvents, type FakeZalo } from "../fakes/zalo-server.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";
import { generateSlipPhotos } from "./photo-generator.ts";

const SECRET = "test-webhook-secret_0123456789";
const CODE = "000.00.15.H32-250601-0007";
const appointment = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 10 * 86_400_000);

async function service(env: Record<string, string>) {
  const tgFake = await startFakeTelegram();
  const zaloFake = await startFakeZalo();
  let tg!: TelegramChannel;
  let zalo!: ZaloChannel;
  const svc = await startTestService(
    { TELEGRAM_BOT_TOKEN: tgFake.token, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: tgFake.apiRoot, SLIP_SECRET: "slip-secret-for-tests-0123456789", ...zaloFake.env(), ...env },
    (ctx) => {
      tg = startTelegram(ctx, ctx.conversation, { replayIntervalMs: 0 });
      zalo = startZalo(ctx, ctx.conversation, { replayIntervalMs: 0, tokenCheckIntervalMs: 0, retry: { delaysMs: [5, 20] } });
      return { routers: [tg.router, zalo.router] };
    },
  );
  await tgFake.waitFor((calls) => calls.some((c) => c.method === "getMe"));
  const fresh = specDossier({ receivedAt: new Date(Date.now() - 86_400_000).toISOString(), appointmentAt: appointment.toISOString() });
  expect((await svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", json: fresh })).status).toBe(201);
  const telegram = async (userId: number, update: unknown) => {
    const before = tgFake.calls.length;
    const res = await fetch(`${svc.url}/webhooks/telegram`, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET }, body: JSON.stringify(update) });
    expect(res.status).toBe(200);
    await tg.processor?.idle();
    return tgFake.calls
      .slice(before)
      .filter((c) => c.method === "sendMessage" && Number(c.body.chat_id) === userId)
      .map((c) => String(c.body.text))
      .join("\n");
  };
  const zaloSay = async (userId: string, text: string) => {
    const before = zaloFake.texts(userId).length;
    const d = signedWebhook(zaloEvents.text(userId, text));
    expect((await fetch(`${svc.url}/webhooks/zalo`, { method: "POST", headers: d.headers, body: d.body })).status).toBe(200);
    await zalo.processor.idle();
    return zaloFake.texts(userId).slice(before).join("\n");
  };
  return {
    svc,
    tgFake,
    telegram,
    zaloSay,
    async close() {
      await tg.stop();
      await zalo.stop();
      await svc.ctx.slip.decoder.close();
      await svc.close();
      await tgFake.close();
      await zaloFake.close();
    },
  };
}

describe("slip as proof (SLIP_PROOF=on)", () => {
  let s: Awaited<ReturnType<typeof service>>;
  beforeAll(async () => {
    s = await service({});
  });
  afterAll(async () => {
    await s?.close();
  });

  it("Telegram: /start <token> → consent → linked by the slip, with the status card", async () => {
    const token = s.svc.ctx.slip.signer.createSlipToken(CODE, appointment);
    const user = citizen(710_001);
    const asked = await s.telegram(user.id, updates.command(user, "start", token));
    expect(asked).toContain(`Để liên kết hồ sơ ${CODE}`);
    const done = await s.telegram(user.id, updates.callback(user, "c:y"));
    expect(done).toContain(`Đã liên kết hồ sơ ${CODE} với tài khoản của Ông/Bà (xác minh bằng phiếu hẹn trả kết quả)`);
    expect(done).toContain("Tình trạng: Đang giải quyết");
    const link = await s.svc.ctx.prisma.dossierLink.findFirstOrThrow({ where: { dossier: { code: CODE } } });
    expect(link.verifiedBy).toBe("receipt_slip");
    expect(await s.svc.ctx.prisma.auditLog.count({ where: { action: "dossier.link", target: CODE, details: { path: ["verifiedBy"], equals: "receipt_slip" } } })).toBe(1);
  });

  it("Zalo: the short code as the first message links the same way", async () => {
    const short = (await s.svc.ctx.slip.shortCode(CODE))!;
    const asked = await s.zaloSay("8512345678900000001", short.slice(0, 4).toLowerCase() + "-" + short.slice(4));
    expect(asked).toContain(`Để liên kết hồ sơ ${CODE}`);
    const done = await s.zaloSay("8512345678900000001", "đồng ý");
    expect(done).toContain("xác minh bằng phiếu hẹn trả kết quả");
    expect(done).toContain(`Hồ sơ ${CODE}`);
  });

  it("a forged, altered or expired token does not link, and looks like an unknown code", async () => {
    const genuine = s.svc.ctx.slip.signer.createSlipToken(CODE, appointment);
    const forged = createSlipSigner("someone-elses-secret-0123456789").createSlipToken(CODE, appointment);
    const altered = genuine.slice(0, 20) + (genuine[20] === "A" ? "B" : "A") + genuine.slice(21);
    const expired = s.svc.ctx.slip.signer.createSlipToken(CODE, new Date("2020-01-01T00:00:00Z"));
    const answers = new Set<string>();
    for (const [k, t] of [forged, altered, expired].entries()) {
      const user = citizen(720_000 + k);
      const r = await s.telegram(user.id, updates.command(user, "start", t));
      expect(r).toContain("không đúng hoặc đã hết hạn");
      expect(r).not.toContain(CODE);
      answers.add(r);
    }
    expect(answers.size).toBe(1);
    expect(await s.svc.ctx.prisma.dossierLink.count({ where: { dossier: { code: CODE }, citizen: { accounts: { some: { platformUserId: { in: ["720000", "720001", "720002"] } } } } } })).toBe(0);
  });

  it("wrong short codes count against the account's attempt limits", async () => {
    const user = citizen(730_001);
    const guesses = ["K7QM4XPD", "K7QM4XPE", "K7QM4XPF", "K7QM4XPG", "K7QM4XPH", "K7QM4XPJ", "K7QM4XPK", "K7QM4XPM", "K7QM4XPN"];
    let last = "";
    for (const g of guesses) last = await s.telegram(user.id, updates.text(user, g));
    expect(last).toContain("Mã phiếu K7QM4XPN không đúng hoặc đã hết hạn. Ông/Bà còn 1 lần thử");
    expect(await s.telegram(user.id, updates.text(user, "K7QM4XPP"))).toContain("tạm thời chưa thể xác minh");
    // Locked for the day: even the right short code does not link from this account now.
    const right = (await s.svc.ctx.slip.shortCode(CODE))!;
    expect(await s.telegram(user.id, updates.text(user, right))).toContain("tạm thời chưa thể xác minh");
  });

  it("a photo of the slip continues as if the link had been opened; an unreadable one asks for a better photo", async () => {
    const token = s.svc.ctx.slip.signer.createSlipToken(CODE, appointment);
    let photo: Buffer | undefined;
    for await (const p of generateSlipPhotos([{ qrText: slipLink("https://hoso.example.gov.vn", token), code: CODE }], { count: 1, seed: 42, maxSide: 1200 })) photo = Buffer.from(p.image);
    const user = citizen(740_001);
    const f = s.tgFake.addFile(photo!);
    const asked = await s.telegram(user.id, updates.photo(user, [{ ...f, width: 1200, height: 900 }]));
    expect(asked).toContain(`Để liên kết hồ sơ ${CODE}`);
    const blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#ffffff" } }).jpeg().toBuffer();
    const g = s.tgFake.addFile(blank);
    expect(await s.telegram(user.id, updates.photo(user, [{ ...g, width: 400, height: 300 }]))).toContain("Tôi chưa đọc được mã trên ảnh");
  });
});

describe("SLIP_PROOF=off", () => {
  it("the slip only fills in the code: after consent the phone or ID step is still asked", async () => {
    const s = await service({ SLIP_PROOF: "off" });
    try {
      const user = citizen(750_001);
      await s.telegram(user.id, updates.command(user, "start", s.svc.ctx.slip.signer.createSlipToken(CODE, appointment)));
      const next = await s.telegram(user.id, updates.callback(user, "c:y"));
      expect(next).toContain("Để xác minh Ông/Bà là người nộp hồ sơ");
      expect(await s.svc.ctx.prisma.dossierLink.count()).toBe(0);
    } finally {
      await s.close();
    }
  });
});
