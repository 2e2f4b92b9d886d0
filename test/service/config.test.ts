import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ConfigError, ENV_NAMES, loadConfig } from "../../src/app/config.ts";

describe("configuration", () => {
  it("defaults to the embedded database with channels disabled", () => {
    const c = loadConfig({});
    expect(c.database).toEqual({ kind: "embedded", dataDir: "./data" });
    expect(c.http.port).toBe(3000);
    expect(c.satisfactionTarget).toBe(84);
    expect(c.telegram).toEqual({ mode: "disabled", reason: "TELEGRAM_BOT_TOKEN not set", apiRoot: "https://api.telegram.org" });
    expect(c.zalo).toMatchObject({ mode: "disabled", reason: "ZALO_APP_ID, ZALO_APP_SECRET, ZALO_WEBHOOK_SECRET, ZALO_REFRESH_TOKEN not set" });
  });

  it("uses the server when DATABASE_URL is set", () => {
    expect(loadConfig({ DATABASE_URL: "postgresql://u@h/db" }).database).toEqual({ kind: "server", url: "postgresql://u@h/db" });
  });

  it.each([
    [{ PORT: "abc" }, /PORT/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL must start with postgresql/],
    [{ TELEGRAM_BOT_TOKEN: "nope" }, /TELEGRAM_BOT_TOKEN/],
    [{ TELEGRAM_MODE: "push" }, /TELEGRAM_MODE/],
    [{ SATISFACTION_TARGET: "140" }, /SATISFACTION_TARGET/],
    [{ WORKING_HOURS: "7-17" }, /WORKING_HOURS/],
    [{ ZALO_API_BASE: "ftp://x" }, /ZALO_API_BASE/],
  ])("rejects %o with a message naming the variable", (env, pattern) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(pattern);
  });

  it("never echoes secret values in the error", () => {
    try {
      loadConfig({ TELEGRAM_BOT_TOKEN: "123:short-secret" });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain("short-secret");
    }
  });

  it("enables Telegram only with a webhook secret in webhook mode", () => {
    const token = "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token }).telegram).toMatchObject({ mode: "disabled", reason: "TELEGRAM_WEBHOOK_SECRET is required in webhook mode" });
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_SECRET: "s3cret" }).telegram).toMatchObject({ mode: "webhook", token, webhookSecret: "s3cret" });
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_MODE: "polling" }).telegram).toMatchObject({ mode: "polling", token });
  });

  it("enables Zalo with its four credentials, ZNS only with a template", () => {
    const zalo = { ZALO_APP_ID: "123", ZALO_APP_SECRET: "app-secret", ZALO_WEBHOOK_SECRET: "hook", ZALO_REFRESH_TOKEN: "refresh" };
    expect(loadConfig({ ...zalo, ZALO_REFRESH_TOKEN: "" }).zalo).toMatchObject({ mode: "disabled", reason: "ZALO_REFRESH_TOKEN not set" });
    const on = loadConfig(zalo).zalo;
    expect(on).toMatchObject({ mode: "webhook", appId: "123", refreshToken: "refresh" });
    expect(on).not.toHaveProperty("znsTemplateStatus");
    expect(loadConfig({ ...zalo, ZALO_ZNS_TEMPLATE_STATUS: "tpl" }).zalo).toMatchObject({ znsTemplateStatus: "tpl" });
  });

  it("reads every setting into its section, the delivery, broadcast and digest settings too", () => {
    const c = loadConfig({
      DELIVERY_TELEGRAM_RATE: "25",
      QUIET_HOURS: "off",
      BROADCAST_APPROVAL_THRESHOLD: "50",
      STAFF_DIGEST_CHAT_IDS: "-100123, 456",
      INBOX_RETENTION_DAYS: "7",
      SLIP_PROOF: "off",
      OPEN_DATA: "off",
      HTTP_REQUEST_TIMEOUT_MS: "30000",
    });
    expect(c.delivery.limits.telegram).toEqual({ perSecond: 25, perChatPerSecond: 1 });
    expect(c.delivery.quietHours).toBeNull();
    expect(loadConfig({}).delivery.quietHours).toEqual({ start: "21:00", end: "07:00" });
    expect(c.broadcasts.approvalThreshold).toBe(50);
    expect(loadConfig({}).broadcasts.approvalThreshold).toBeUndefined();
    expect(c.digest.chatIds).toEqual(["-100123", "456"]);
    expect(c.retention.inboxDays).toBe(7);
    expect(c.slip.proof).toBe(false);
    expect(c.openData.enabled).toBe(false);
    expect(c.http.requestTimeoutMs).toBe(30_000);
  });

  it.each([
    [{ DELIVERY_ZALO_RATE: "-1" }, /DELIVERY_ZALO_RATE/],
    [{ QUIET_HOURS: "late" }, /QUIET_HOURS/],
    [{ BROADCAST_APPROVAL_THRESHOLD: "0" }, /BROADCAST_APPROVAL_THRESHOLD/],
    [{ STAFF_DIGEST_CHAT_IDS: "@staff" }, /STAFF_DIGEST_CHAT_IDS/],
    [{ HTTP_HEADERS_TIMEOUT_MS: "20000", HTTP_REQUEST_TIMEOUT_MS: "10000" }, /HTTP_HEADERS_TIMEOUT_MS must not be larger/],
    [{ ZALO_OA_ID: "oa" }, /ZALO_OA_ID/],
  ])("names the variable of a section's bad value: %o", (env, pattern) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(pattern);
  });

  it("every variable the schema reads is explained in .env.example", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const missing = ENV_NAMES.filter((n) => !new RegExp(`^#?\\s*${n}=`, "m").test(example));
    expect(missing).toEqual([]);
  });

  it("is frozen: nothing changes the configuration after start-up", () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.delivery.limits.telegram)).toBe(true);
    expect(() => {
      (c.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("parses working hours", () => {
    expect(loadConfig({ WORKING_HOURS: "07:30-11:30,13:00-16:30" }).workingHours).toEqual([
      { start: "07:30", end: "11:30" },
      { start: "13:00", end: "16:30" },
    ]);
  });
});
