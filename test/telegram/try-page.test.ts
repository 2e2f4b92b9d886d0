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
  it("serves a self-contained Vietnamese chat page", async () => {
    const res = await fetch(`${svc.url}/try`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain("DỮ LIỆU MINH HOẠ");
    expect(html).toContain("Chia sẻ số điện thoại của tôi");
    expect(html).toContain(DEMO_CODE);
    // No external assets: no src/href to another host.
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    // The inline script at least parses (no browser here to run it).
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? "";
    expect(script).toContain("/try/api/message");
    expect(() => new Function(script)).not.toThrow();
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
