import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

describe("configuration", () => {
  it("defaults to the embedded database with channels disabled", () => {
    const c = loadConfig({});
    expect(c.database).toEqual({ kind: "embedded", dataDir: "./data" });
    expect(c.PORT).toBe(3000);
    expect(c.SATISFACTION_TARGET).toBe(84);
    expect(c.telegram).toEqual({ enabled: false, reason: "TELEGRAM_BOT_TOKEN not set" });
    expect(c.zalo.enabled).toBe(false);
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
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token }).telegram.enabled).toBe(false);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_SECRET: "s3cret" }).telegram.enabled).toBe(true);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_MODE: "polling" }).telegram.enabled).toBe(true);
  });

  it("parses working hours", () => {
    expect(loadConfig({ WORKING_HOURS: "07:30-11:30,13:00-16:30" }).WORKING_HOURS).toEqual([
      { start: "07:30", end: "11:30" },
      { start: "13:00", end: "16:30" },
    ]);
  });
});
