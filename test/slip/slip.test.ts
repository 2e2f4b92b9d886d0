// Receipt slips end to end: staff print a slip, a citizen scans its QR, opens /l/<token> on
// the phone and follows either channel — the Telegram deep link into the bot as
// `/start <token>`, or the short code sent as the first Zalo message. The conversation's
// answer is the lead's part; here a recording conversation shows what each adapter hands on.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlipLinkRouter, SLIP_SCRIPT_PATH } from "../../src/api/pages/slip.ts";
import { slipRoutes } from "../../src/api/routes/slips.ts";
import { startTelegram, type TelegramChannel } from "../../src/bot/telegram/index.ts";
import { startZalo, type ZaloChannel } from "../../src/bot/zalo/index.ts";
import type { InboundMessage, Reply } from "../../src/core/conversation/types.ts";
import { formatLocal } from "../../src/core/calendar.ts";
import { decodeSlipPhoto } from "../../src/core/slip/photo.ts";
import { ensureShortSlipCode, lookupShortSlipCode } from "../../src/core/slip/short-code.ts";
import { createSlipSigner } from "../../src/core/slip/token.ts";
import { citizen, startFakeTelegram, updates, type FakeTelegram } from "../fakes/telegram-server.ts";
import { signedWebhook, startFakeZalo, zaloEvents, type FakeZalo } from "../fakes/zalo-server.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

const SECRET = "test-webhook-secret_0123456789";
const CODE = "000.00.15.H32-230112-0001";
/** A dossier whose slip is still valid: received today, appointment in ten days. */
const FRESH = "000.00.15.H32-250601-0002";
const freshAppointment = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 10 * 86_400_000);
const OA_ID = "579745863508352884";
const BOT = "hoso_test_bot";

let svc: TestService;
let tgFake: FakeTelegram;
let zaloFake: FakeZalo;
let tg: TelegramChannel;
let zalo: ZaloChannel;
const received: InboundMessage[] = [];
const conversation = {
  async handle(msg: InboundMessage): Promise<Reply[]> {
    received.push(msg);
    return [{ kind: "text", text: "đã nhận" }];
  },
};
let staffKey: string;
let analystKey: string;

beforeAll(async () => {
  tgFake = await startFakeTelegram();
  zaloFake = await startFakeZalo();
  svc = await startTestService(
    {
      TELEGRAM_BOT_TOKEN: tgFake.token,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: tgFake.apiRoot,
      TELEGRAM_BOT_USERNAME: "@" + BOT,
      ZALO_OA_ID: OA_ID,
      PUBLIC_URL: "https://hoso.example.gov.vn",
      SLIP_SECRET: "slip-secret-for-tests-0123456789",
      ...zaloFake.env(),
    },
    (ctx) => {
      tg = startTelegram(ctx, conversation, { replayIntervalMs: 0 });
      zalo = startZalo(ctx, conversation, { replayIntervalMs: 0, tokenCheckIntervalMs: 0, retry: { delaysMs: [5, 20] } });
      return { routers: [createSlipLinkRouter(ctx), tg.router, zalo.router], routeModules: [slipRoutes] };
    },
  );
  await tgFake.waitFor((calls) => calls.some((c) => c.method === "getMe"));
  expect((await svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", json: specDossier() })).status).toBe(201);
  const fresh = specDossier({ receivedAt: new Date(Date.now() - 86_400_000).toISOString(), appointmentAt: freshAppointment.toISOString() });
  expect((await svc.api(`/api/v1/dossiers/${FRESH}`, { method: "PUT", json: fresh })).status).toBe(201);
  const key = async (role: string) => {
    const res = await svc.api("/api/v1/api-keys", { method: "POST", json: { role, name: `${role} test` } });
    return ((await res.json()) as { key: string }).key;
  };
  staffKey = await key("staff");
  analystKey = await key("analyst");
});

afterAll(async () => {
  await tg?.stop();
  await zalo?.stop();
  await svc?.ctx.slip.decoder.close();
  await svc?.close();
  await tgFake?.close();
  await zaloFake?.close();
});

async function pageOf(path: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(svc.url + path);
  return { status: res.status, html: await res.text(), headers: res.headers };
}

describe("the slip for staff", () => {
  it("serves the QR as SVG and PNG to staff, refuses analysts, and reports unknown codes", async () => {
    const svg = await svc.api(`/api/v1/dossiers/${CODE}/slip-qr?format=svg`, { key: staffKey });
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const png = await svc.api(`/api/v1/dossiers/${CODE}/slip-qr?format=png`, { key: staffKey });
    expect(png.headers.get("content-type")).toBe("image/png");
    const bytes = new Uint8Array(await png.arrayBuffer());
    const scan = await decodeSlipPhoto(bytes);
    expect(scan.ok && scan.text).toMatch(/^https:\/\/hoso\.example\.gov\.vn\/l\/s[A-Za-z0-9_-]{32}$/);

    expect((await svc.api(`/api/v1/dossiers/${CODE}/slip-qr`, { key: analystKey })).status).toBe(403);
    expect((await svc.api(`/api/v1/dossiers/${CODE}/slip`, { key: analystKey })).status).toBe(403);
    expect((await svc.api(`/api/v1/dossiers/${CODE}/slip-qr`, { key: null })).status).toBe(401);
    expect((await svc.api(`/api/v1/dossiers/000.00.15.H32-230112-0999/slip-qr`, { key: staffKey })).status).toBe(404);
    expect((await svc.api(`/api/v1/dossiers/not-a-code/slip-qr`, { key: staffKey })).status).toBe(400);
    expect((await svc.api(`/api/v1/dossiers/${CODE}/slip-qr?format=gif`, { key: staffKey })).status).toBe(400);
  });

  it("documents both routes in the OpenAPI document", async () => {
    const doc = (await (await svc.api("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, { parameters: { name: string }[] }>> };
    expect(doc.paths["/api/v1/dossiers/{code}/slip-qr"]?.get?.parameters.map((p) => p.name)).toEqual(["code", "format"]);
    expect(doc.paths["/api/v1/dossiers/{code}/slip"]?.get).toBeDefined();
  });

  it("keeps one short code per dossier, however often the slip is printed", async () => {
    const [a, b] = await Promise.all([ensureShortSlipCode(svc.ctx.prisma, CODE), ensureShortSlipCode(svc.ctx.prisma, CODE)]);
    expect(a).toBe(b);
    const row = await svc.ctx.prisma.dossier.findUnique({ where: { code: CODE }, select: { slipCode: true } });
    expect(row?.slipCode).toBe(a);
    expect(await ensureShortSlipCode(svc.ctx.prisma, "000.00.15.H32-230112-0999")).toBeNull();
  });

  it("looks a short code up case-insensitively, and not after the slip expired", async () => {
    const short = (await ensureShortSlipCode(svc.ctx.prisma, CODE))!;
    const during = new Date("2023-02-10T00:00:00Z");
    expect(await lookupShortSlipCode(svc.ctx.prisma, short.toLowerCase().slice(0, 4) + " " + short.slice(4), { now: during })).toBe(CODE);
    expect(await lookupShortSlipCode(svc.ctx.prisma, short, { now: new Date("2023-06-01T00:00:00Z") })).toBeNull();
    const wrong = short.startsWith("2") ? "3" + short.slice(1) : "2" + short.slice(1);
    expect(await lookupShortSlipCode(svc.ctx.prisma, wrong, { now: during })).toBeNull();
    expect(await lookupShortSlipCode(svc.ctx.prisma, "xin chào", { now: during })).toBeNull();
  });
});

describe("from the printed slip into the chat", () => {
  it("prints the stub, scans its QR, opens /l/<token> and follows the Telegram deep link and the Zalo short code", async () => {
    // 1. Staff print the stub.
    const stub = await svc.api(`/api/v1/dossiers/${FRESH}/slip`, { key: staffKey });
    expect(stub.status).toBe(200);
    const stubCsp = stub.headers.get("content-security-policy") ?? "";
    expect(stubCsp).toContain("default-src 'none'");
    expect(stubCsp).not.toContain("unsafe-inline");
    const stubHtml = await stub.text();
    expect(stubHtml).not.toMatch(/<script/i);
    expect(stubHtml).toContain(FRESH);
    expect(stubHtml).toContain(formatLocal(freshAppointment));
    expect(stubHtml).toMatch(/Quét mã QR/);

    // 2. A phone scans the printed QR.
    const svg = /<svg[\s\S]*<\/svg>/.exec(stubHtml)![0];
    const printed = await sharp(Buffer.from(svg), { density: 300 }).flatten({ background: "#ffffff" }).png().toBuffer();
    const scan = await decodeSlipPhoto(printed);
    if (!scan.ok) throw new Error(`the printed QR did not scan: ${scan.reason}`);
    const link = new URL(scan.text);
    expect(link.origin).toBe("https://hoso.example.gov.vn");

    // 3. The link opens our page (here on the test server).
    const page = await pageOf(link.pathname);
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(page.html).toContain(`<script src="${SLIP_SCRIPT_PATH}" defer></script>`);
    expect(page.html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1">/);
    expect(page.html).toMatch(/Get notices about your dossier/);
    const script = await fetch(svc.url + SLIP_SCRIPT_PATH);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("clipboard");

    // 4a. Telegram: the deep link becomes /start <payload> in the bot.
    const tme = /href="(https:\/\/t\.me\/[^"]+)"/.exec(page.html)![1]!.replaceAll("&#38;", "&");
    const deep = new URL(tme);
    expect(deep.pathname).toBe(`/${BOT}`);
    const payload = deep.searchParams.get("start")!;
    expect(payload.length).toBeLessThanOrEqual(64);
    const user = citizen(700_001);
    const res = await fetch(`${svc.url}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(updates.command(user, "start", payload)),
    });
    expect(res.status).toBe(200);
    const fromTelegram = received.find((m) => m.channel === "telegram" && m.userId === String(user.id));
    expect(fromTelegram?.input).toEqual({ kind: "command", command: "start", args: payload });
    expect(svc.ctx.slip.signer.verifySlipToken(payload)?.code).toBe(FRESH);

    // 4b. Zalo: open the OA and send the short code shown on the page as the first message.
    expect(page.html).toContain(`href="https://zalo.me/${OA_ID}"`);
    const shown = /id="short-code">([0-9A-Z-]+)</.exec(page.html)![1]!;
    expect(page.html).toContain(`data-copy="${shown}"`);
    const zaloUser = "8512345678901234567";
    const delivery = signedWebhook(zaloEvents.text(zaloUser, shown));
    expect((await fetch(`${svc.url}/webhooks/zalo`, { method: "POST", headers: delivery.headers, body: delivery.body })).status).toBe(200);
    await zalo.processor.idle();
    const fromZalo = received.find((m) => m.channel === "zalo" && m.userId === zaloUser);
    expect(fromZalo?.input).toEqual({ kind: "text", text: shown });
    expect(await svc.ctx.slip.lookupShortCode(shown)).toBe(FRESH);
  });

  it("answers a forged, altered or expired token with one page that reveals nothing", async () => {
    const now = new Date();
    const genuine = svc.ctx.slip.signer.createSlipToken(CODE, new Date(now.getTime() + 86_400_000));
    const forged = createSlipSigner("someone-elses-secret-0123456789").createSlipToken(FRESH, new Date(now.getTime() + 86_400_000));
    const altered = genuine.slice(0, 20) + (genuine[20] === "A" ? "B" : "A") + genuine.slice(21);
    const expired = svc.ctx.slip.signer.createSlipToken(CODE, new Date("2020-01-01T00:00:00Z"));
    const unknownDossier = svc.ctx.slip.signer.createSlipToken("000.00.15.H32-230112-0777", new Date(now.getTime() + 86_400_000));

    expect((await pageOf(`/l/${genuine}`)).status).toBe(200);
    const bodies = new Set<string>();
    for (const t of [forged, altered, expired, unknownDossier, "nonsense", "s" + "A".repeat(200)]) {
      const p = await pageOf(`/l/${t}`);
      expect(p.status, t).toBe(404);
      expect(p.html).toContain("Liên kết không hợp lệ hoặc đã hết hạn");
      expect(p.html).toContain("This link is not valid");
      expect(p.html).not.toContain(CODE);
      expect(p.html).not.toContain(FRESH);
      bodies.add(p.html);
    }
    expect(bodies.size).toBe(1);
    expect(svc.ctx.slip.signer.verifySlipToken(forged)).toBeNull();
  });
});
