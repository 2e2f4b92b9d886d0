// /try and /dashboard in a real browser: Debian's Chromium driven by playwright-core, against
// the whole service as `npm start` runs it (embedded database, demo data), at a phone size
// (390 × 844) and a laptop size (1366 × 768). What a user would notice: nothing wider than
// the screen, no console errors (the CSP would report blocked inline code there), the demo
// dossier linked and asked about and rated on /try, every tab a role may use opened on the
// dashboard. Screenshots go to test-artifacts/ (not committed).
//
// Skipped, with a message, when /usr/bin/chromium is missing (`apt-get install -y chromium`;
// .ci/run installs it). Uses no test database helper: it runs once, in the embedded project.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/app/config.ts";
import { createApiKey } from "../../src/core/api-keys.ts";
import { DEMO_APPLICANT } from "../../src/demo/seed.ts";
import { modules } from "../../src/app/modules.ts";
import { silentLogger } from "../../src/logger.ts";
import { startService, type RunningService } from "../../src/app/service.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = path.resolve(import.meta.dirname, "../../test-artifacts");
const SIZES = { phone: { width: 390, height: 844 }, laptop: { width: 1366, height: 768 } } as const;
type Size = keyof typeof SIZES;
const ADMIN_KEY = "browser-test-admin-key-0123456789";

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/browser skipped: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)`);

describe.skipIf(!haveChromium)("the pages in Chromium", () => {
  let dataDir: string;
  let svc: RunningService;
  let browser: Browser;
  const contexts = new Map<Size, BrowserContext>();
  const keys: Record<"staff" | "analyst" | "admin", string> = { staff: "", analyst: "", admin: ADMIN_KEY };
  /** Console errors and page errors, per page, checked by each test. */
  const problems = new Map<Page, string[]>();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), "dossier-bot-browser-"));
    const config = loadConfig({ DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: "silent", HASH_PEPPER: "browser-test-pepper-0123456789" });
    const [b, s] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=vi-VN"] }),
      startService(config, silentLogger, modules()),
    ]);
    browser = b;
    svc = s;
    keys.staff = (await createApiKey(svc.ctx.prisma, "staff", "Chị Lan (cán bộ)", "test")).key;
    keys.analyst = (await createApiKey(svc.ctx.prisma, "analyst", "Anh Minh (phân tích)", "test")).key;
    const doc = (await (await fetch(svc.url + "/api/v1/openapi.json")).json()) as { paths: Record<string, unknown> };
    hasMe = "/api/v1/me" in doc.paths;
    for (const [size, viewport] of Object.entries(SIZES) as [Size, (typeof SIZES)[Size]][])
      contexts.set(size, await browser.newContext({ viewport, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" }));
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function newPage(size: Size): Promise<Page> {
    const page = await contexts.get(size)!.newPage();
    const list: string[] = [];
    problems.set(page, list);
    page.on("console", (m) => {
      if (m.type() === "error") list.push(`console: ${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (e) => list.push(`page error: ${e.message}`));
    return page;
  }
  /** Without GET /me (an older server) the page learns the role from a 403 of the audit log, which Chromium logs. */
  let hasMe = true;
  const expectClean = (page: Page) =>
    expect((problems.get(page) ?? []).filter((p) => hasMe || !/status of 403 .*\/api\/v1\/audit-log\?limit=1\)$/.test(p))).toEqual([]);
  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  for (const size of Object.keys(SIZES) as Size[]) {
    it(`/try at ${SIZES[size].width} px: link the demo dossier, ask its status, rate it — nothing off-screen`, async () => {
      const returned = await svc.ctx.prisma.dossier.findFirst({ where: { demo: true, applicantPhone: DEMO_APPLICANT.phone, status: 10 }, select: { code: true } });
      expect(returned, "the demo data has a returned dossier of the demo applicant").not.toBeNull();
      const page = await newPage(size);
      await page.goto(svc.url + "/try");
      const log = page.locator("#log");
      await expect.poll(() => log.locator(".msg.bot").count()).toBeGreaterThan(0);
      expect(await overflow(page)).toBe(0);
      // The header stays small on a phone; the demo codes are folded away until asked for.
      const header = await page.locator("header").boundingBox();
      expect(header!.height).toBeLessThan(80);
      await page.locator("#demo summary").click();
      await page.locator("#codes button", { hasText: returned!.code }).click();
      await page.getByRole("button", { name: "Đồng ý", exact: true }).last().click();
      await page.locator(".msg.bot .kb button", { hasText: "Chia sẻ số điện thoại" }).last().click();
      await expect.poll(() => log.innerText()).toContain("Đã liên kết hồ sơ " + returned!.code);
      // The main menu is offered once, at the bottom, not under every answer.
      await expect.poll(() => page.locator("#quick .chip").count()).toBeGreaterThan(1);
      expect(await log.locator(".kb button", { hasText: "Xóa dữ liệu của tôi" }).count()).toBe(0);

      await page.fill("#t", "hồ sơ của tôi đến đâu rồi?");
      await page.press("#t", "Enter");
      await expect.poll(() => log.locator(".msg.bot").last().innerText()).toContain(returned!.code);
      // The newest reply and its buttons are in view.
      const rate = log.locator(".msg.bot").last().locator("button", { hasText: "Đánh giá" });
      await expect.poll(() => rate.isVisible()).toBe(true);
      const box = await rate.boundingBox();
      const logBox = await log.boundingBox();
      expect(box!.y + box!.height).toBeLessThanOrEqual(logBox!.y + logBox!.height + 1);
      await rate.click();
      await page.locator(".msg.bot").last().locator("button", { hasText: "Rất hài lòng" }).click();
      await expect.poll(() => log.locator(".msg.bot").last().innerText()).toMatch(/Câu 2\/\d/);
      expect(await overflow(page)).toBe(0);
      await shot(page, `try-${size}`);

      // A reload keeps the conversation of this tab.
      const before = await log.locator(".msg").count();
      await page.reload();
      await expect.poll(() => log.locator(".msg").count()).toBe(before);

      // In English the page's own labels follow.
      await page.fill("#t", "English");
      await page.press("#t", "Enter");
      await expect.poll(() => page.locator("#reset").innerText()).toBe("Start over");
      expect(await page.locator("#t").getAttribute("placeholder")).toMatch(/Type a dossier code/);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
      expect(await overflow(page)).toBe(0);
      expectClean(page);
      await page.close();
    });
  }

  const TABS = {
    staff: ["Hồ sơ", "Thông báo"],
    analyst: ["Chỉ số hài lòng", "Đúng hạn", "Hồ sơ"],
    admin: ["Chỉ số hài lòng", "Đúng hạn", "Hồ sơ", "Thông báo", "Nhật ký"],
  } as const;

  for (const size of Object.keys(SIZES) as Size[]) {
    it(`/dashboard at ${SIZES[size].width} px: each role sees the tabs it may use, and each opens without an error`, async () => {
      const page = await newPage(size);
      for (const role of ["staff", "analyst", "admin"] as const) {
        await page.goto(svc.url + "/dashboard");
        await page.fill("#key-input", keys[role]);
        await page.click("#key-save");
        await expect.poll(() => page.locator("#role").innerText().catch(() => "")).toContain(role);
        const tabs = page.locator("[role=tab]:visible");
        await expect.poll(() => tabs.allInnerTexts()).toEqual(expect.arrayContaining([...TABS[role]]));
        const visible = await tabs.allInnerTexts();
        if (role !== "admin") expect(visible).not.toContain("Nhật ký");
        if (role === "staff") expect(visible).not.toContain("Chỉ số hài lòng");
        if (role === "analyst") expect(visible).not.toContain("Thông báo");
        for (const name of visible) {
          await page.locator("[role=tab]", { hasText: name }).click();
          const panel = page.locator("[role=tabpanel]:visible");
          // Loaded: the tab's button is back from «Đang tải…» and no error is shown.
          await expect.poll(() => panel.locator("button:has-text('Đang tải…')").count(), { timeout: 20_000 }).toBe(0);
          expect(await panel.locator(".flash.err").allInnerTexts(), `${role} · ${name}`).toEqual([]);
          expect(await overflow(page), `${role} · ${name} is wider than the screen`).toBe(0);
          if (role === "admin") await shot(page, `dashboard-${size}-${name.replace(/\s+/g, "-")}`);
        }
      }
      expectClean(page);
      await page.close();
    });
  }

  it("a number on the dashboard opens the dossiers behind it, and a dossier shows what it waits for", async () => {
    const page = await newPage("laptop");
    await page.goto(svc.url + "/dashboard");
    await page.fill("#key-input", keys.admin);
    await page.click("#key-save");
    await expect.poll(() => page.locator("#role").innerText().catch(() => "")).toContain("admin");
    // A dossier waiting for a supplement says so, with the reason given to the citizen.
    const waiting = await svc.ctx.prisma.dossier.findFirst({ where: { demo: true, status: 5 }, select: { code: true } });
    if (waiting) {
      await page.locator("[role=tab]", { hasText: "Hồ sơ" }).click();
      await page.fill("#d-code", waiting.code);
      await page.click("#d-go");
      await expect.poll(() => page.locator("#d-out").innerText()).toContain("Đang chờ người dân bổ sung");
    }
    const hasList = await page.evaluate(() => fetch("/api/v1/openapi.json").then((r) => r.json()).then((d: { paths: Record<string, unknown> }) => "/api/v1/dossiers" in d.paths));
    if (hasList) {
      await page.locator("[role=tab]", { hasText: "Đúng hạn" }).click();
      const count = page.locator("#t-out table button.link").first();
      await expect.poll(() => count.count(), { timeout: 20_000 }).toBeGreaterThan(0);
      const n = (await count.innerText()).replace(/\D/g, "");
      await count.click();
      await expect.poll(() => page.locator("#l-total").innerText(), { timeout: 20_000 }).toContain(`${n} hồ sơ`);
      await shot(page, "dashboard-laptop-drill-down");
    }
    expectClean(page);
    await page.close();
  });

  it("a demo broadcast, previewed by one staff key and approved by another, arrives in the /try chat", async () => {
    const second = (await createApiKey(svc.ctx.prisma, "staff", "Anh Tú (duyệt)", "test")).key;
    const dossier = await svc.ctx.prisma.dossier.findFirst({ where: { demo: true, applicantPhone: DEMO_APPLICANT.phone, status: { not: 10 } }, select: { code: true } });
    expect(dossier).not.toBeNull();
    // The citizen links a dossier on /try (phone size) and keeps the chat open.
    const chat = await newPage("phone");
    await chat.goto(svc.url + "/try");
    await chat.fill("#t", dossier!.code);
    await chat.press("#t", "Enter");
    await chat.getByRole("button", { name: "Đồng ý", exact: true }).last().click();
    await chat.locator(".msg.bot .kb button", { hasText: "Chia sẻ số điện thoại" }).last().click();
    await expect.poll(() => chat.locator("#log").innerText()).toContain("Đã liên kết hồ sơ " + dossier!.code);

    const text = `Thông báo thử ${Date.now()}: hồ sơ {code} — mời ông/bà xem lại lịch hẹn.`;
    const page = await newPage("laptop");
    page.on("dialog", (d) => void d.accept());
    const signIn = async (key: string) => {
      await page.goto(svc.url + "/dashboard#thong-bao");
      await page.fill("#key-input", key);
      await page.click("#key-save");
      await expect.poll(() => page.locator("#role").innerText().catch(() => "")).toContain("staff");
      await expect.poll(() => page.locator("#panel-thong-bao").isVisible()).toBe(true);
    };
    await signIn(keys.staff);
    await page.fill("#b-text", text);
    for (const box of await page.locator("#b-channels input").all()) if ((await box.getAttribute("value")) !== "web") await box.uncheck();
    await page.check("#b-urgent"); // not held by quiet hours, whenever the test runs
    await page.fill("#b-codes", dossier!.code);
    await page.click("#b-dry");
    await expect.poll(() => page.locator("#b-preview").innerText(), { timeout: 20_000 }).toContain(dossier!.code);
    await page.click("#b-send");
    await expect.poll(() => page.locator("#b-preview-msg").innerText(), { timeout: 20_000 }).toMatch(/Đã tạo thông báo #\d+/);
    const id = /#(\d+)/.exec(await page.locator("#b-preview-msg").innerText())![1]!;
    const row = page.locator(`#b-list tr[data-id="${id}"]`);
    if (await row.locator("button", { hasText: "Duyệt" }).count()) {
      // Awaiting a second person: the creator's key may not approve; another staff key does.
      await signIn(second);
      await row.locator("button", { hasText: "Duyệt" }).click();
      await expect.poll(() => page.locator("#b-msg").innerText(), { timeout: 20_000 }).toContain(`Đã duyệt thông báo #${id}`);
    }
    await shot(page, "dashboard-laptop-broadcast");
    // The chat shows it as a notice, without the citizen doing anything.
    const notice = chat.locator(".msg.bot.notice", { hasText: text.replace("{code}", dossier!.code).slice(0, 30) });
    await expect.poll(() => notice.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await shot(chat, "try-phone-broadcast");
    expectClean(page);
    expectClean(chat);
    await page.close();
    await chat.close();
  });
});
