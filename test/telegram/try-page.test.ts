// The /try page: a person chats with the real conversation core in the browser, against
// demo data, without any Telegram token.
import { databaseConversation } from "../../src/core/conversation/database.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTryRouter } from "../../src/api/pages/try.ts";
import { ConversationService } from "../../src/core/conversation/index.ts";
import type { Reply } from "../../src/core/conversation/types.ts";
import { dossierInputSchema } from "../../src/core/dossier-schemas.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

const DEMO_CODE = "000.00.15.H32-230112-0001";
const DEMO_PHONE = "0905123456";
// A real (non-demo) dossier of the same applicant: never reachable from the open page.
const REAL_CODE = "000.00.15.H32-230112-0002";
let svc: TestService;
let off: TestService;

beforeAll(async () => {
  const mount = (enabled: boolean) => (ctx: TestService["ctx"]) => ({
    routers: [
      createTryRouter({
        enabled,
        conversation: databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher, now: () => new Date("2023-01-20T10:00:00+07:00") }),
        demo: { phone: DEMO_PHONE, codes: [DEMO_CODE] },
        logger: ctx.logger,
      }),
    ],
  });
  svc = await startTestService({}, mount(true));
  off = await startTestService({}, mount(false));
  await svc.ctx.dossiers.upsert(DEMO_CODE, dossierInputSchema.parse(specDossier()), "test");
  await svc.ctx.prisma.dossier.update({ where: { code: DEMO_CODE }, data: { demo: true } });
  await svc.ctx.dossiers.upsert(REAL_CODE, dossierInputSchema.parse(specDossier()), "test");
});
afterAll(async () => {
  await svc?.close();
  await off?.close();
});

async function send(sessionId: string, input: unknown, on = svc): Promise<{ status: number; body: { replies?: Reply[]; error?: { message: string } } }> {
  const res = await fetch(`${on.url}/try/api/message`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sessionId, input }) });
  return { status: res.status, body: await res.json() };
}
const textOf = (replies: Reply[] | undefined) => (replies ?? []).map((r) => r.text).join("\n");

describe("GET /try", () => {
  it("serves a Vietnamese chat page whose script and styles are bundled files under a strict CSP", async () => {
    const res = await fetch(`${svc.url}/try`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await res.text();
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain("DỮ LIỆU MẪU");
    expect(html).toContain("Mã hồ sơ mẫu");
    // No external assets, no inline script (only a JSON data block), no inline handlers or styles.
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<script>/);
    expect(html).not.toMatch(/\son[a-z]+=|\sstyle=/i);
    expect(JSON.parse(/<script type="application\/json" id="boot">([\s\S]*?)<\/script>/.exec(html)![1]!)).toMatchObject({ phone: DEMO_PHONE, codes: [DEMO_CODE] });
    const js = /<script src="(\/assets\/try\.js\?v=[\w-]+)" defer>/.exec(html)?.[1];
    const css = /<link rel="stylesheet" href="(\/assets\/try\.css\?v=[\w-]+)">/.exec(html)?.[1];
    expect(js && css).toBeTruthy();
    const script = await fetch(svc.url + js);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const code = await script.text();
    expect(code).toContain("/try/api/message");
    expect(code).toContain("sessionStorage");
    expect(() => new Function(code)).not.toThrow();
    const style = await fetch(svc.url + css);
    expect(style.headers.get("content-type")).toMatch(/^text\/css/);
    expect(await style.text()).toContain("#log");
    // Asked without the current hash (an old page): served, but revalidated every time.
    const stale = await fetch(`${svc.url}/assets/try.js?v=old`);
    expect(stale.headers.get("cache-control")).toBe("no-cache");
    const etag = stale.headers.get("etag")!;
    expect((await fetch(`${svc.url}/assets/try.js`, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await fetch(`${svc.url}/assets/try.map`)).status).toBe(404);
  });

  it("is 404 when demo data is not allowed", async () => {
    expect((await fetch(`${off.url}/try`)).status).toBe(404);
    expect((await send("session-0001", { kind: "command", command: "start", args: "" }, off)).status).toBe(404);
  });
});

describe("POST /try/api/message", () => {
  it("links the demo dossier with the demo phone and answers the status question", async () => {
    const sid = "browser_session-01";
    const welcome = await send(sid, { kind: "command", command: "start", args: "" });
    expect(welcome.status).toBe(200);
    expect(textOf(welcome.body.replies)).toContain("Xin chào Ông/Bà!");

    const consent = await send(sid, { kind: "text", text: DEMO_CODE });
    expect(textOf(consent.body.replies)).toContain("Nghị định 13/2023");
    const yes = consent.body.replies!.flatMap((r) => (r.kind === "text" ? (r.buttons ?? []).flat() : [])).find((b) => b.data === "c:y")!;
    expect(yes.label).toBe("Đồng ý");

    const proof = await send(sid, { kind: "button", data: yes.data });
    const ask = proof.body.replies!.at(-1)!;
    expect(ask.kind).toBe("request_phone");

    const linked = await send(sid, { kind: "contact", phone: DEMO_PHONE, own: true });
    expect(textOf(linked.body.replies)).toContain(`Đã liên kết hồ sơ ${DEMO_CODE}`);

    const status = await send(sid, { kind: "text", text: "ho so cua toi den dau roi" });
    expect(textOf(status.body.replies)).toContain("Tình trạng: Đang giải quyết");
    const account = await svc.ctx.prisma.channelAccount.findFirstOrThrow({ where: { channel: "web", platformUserId: sid } });
    expect(account.consentAt).toBeInstanceOf(Date);
  });

  it("a real dossier cannot be linked from the page, even with the right proof", async () => {
    const sid = "browser_session-real";
    await send(sid, { kind: "text", text: REAL_CODE });
    await send(sid, { kind: "button", data: "c:y" });
    const r = await send(sid, { kind: "contact", phone: DEMO_PHONE, own: true });
    expect(textOf(r.body.replies)).toContain("Thông tin xác minh không khớp");
    expect(await svc.ctx.prisma.dossierLink.count({ where: { dossier: { code: REAL_CODE } } })).toBe(0);
  });

  it("another session sees nothing of the first one's dossiers", async () => {
    const r = await send("another-session-02", { kind: "text", text: "hồ sơ của tôi" });
    expect(r.status).toBe(200);
    expect(textOf(r.body.replies)).toContain("Ông/Bà chưa liên kết hồ sơ nào");
  });

  it("refuses a phone other than the demo applicant's as a shared contact", async () => {
    const r = await send("browser_session-03", { kind: "contact", phone: "0912777888", own: true });
    expect(r.status).toBe(400);
    expect(r.body.error?.message).toMatch(/demo applicant/);
  });

  it("validates the session id and the input", async () => {
    for (const sessionId of ["short", "has space in it", "x".repeat(65), "ünïcode-session"])
      expect((await send(sessionId, { kind: "text", text: "hi" })).status).toBe(400);
    for (const input of [{ kind: "text", text: "" }, { kind: "button", data: "x".repeat(65) }, { kind: "command", command: "rm" }, { kind: "smoke" }, null])
      expect((await send("valid-session-04", input)).status).toBe(400);
    const res = await fetch(`${svc.url}/try/api/message`, { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" });
    expect(res.status).toBe(400);
    expect(await svc.ctx.prisma.channelAccount.count({ where: { platformUserId: "valid-session-04" } })).toBe(0);
  });
});
