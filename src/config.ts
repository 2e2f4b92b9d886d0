// Configuration parsed once at start-up. A wrong value stops the process with one line
// naming the variable; channels without credentials are reported as disabled.
import { z } from "zod";

const optionalString = z.string().trim().min(1).optional().catch(undefined);
const url = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { message: `${name} must be an http(s) URL` });

const workingHours = z
  .string()
  .regex(/^\d{2}:\d{2}-\d{2}:\d{2}(,\d{2}:\d{2}-\d{2}:\d{2})*$/, "WORKING_HOURS must look like 07:00-11:30,13:30-17:00")
  .transform((v) =>
    v.split(",").map((s) => {
      const [start, end] = s.split("-") as [string, string];
      return { start, end };
    }),
  );

export const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: "DATABASE_URL must start with postgresql://" })
    .optional(),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default("0.0.0.0"),
  PUBLIC_URL: url("PUBLIC_URL").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  TELEGRAM_BOT_TOKEN: z
    .string()
    .trim()
    .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "TELEGRAM_BOT_TOKEN must look like 123456:ABC… (from @BotFather)")
    .optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, "TELEGRAM_WEBHOOK_SECRET must be 1–256 characters of A–Z a–z 0–9 _ -")
    .optional(),
  TELEGRAM_API_ROOT: url("TELEGRAM_API_ROOT").default("https://api.telegram.org"),
  TELEGRAM_MODE: z.enum(["webhook", "polling"]).default("webhook"),
  /** Bot username (with or without @): slip pages link to https://t.me/<username>?start=<token>. */
  TELEGRAM_BOT_USERNAME: z
    .string()
    .trim()
    .transform((v) => v.replace(/^@/, ""))
    .pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "TELEGRAM_BOT_USERNAME must be a bot username such as hoso_camranh_bot"))
    .optional(),

  ZALO_APP_ID: optionalString,
  ZALO_APP_SECRET: optionalString,
  ZALO_WEBHOOK_SECRET: optionalString,
  ZALO_ACCESS_TOKEN: optionalString,
  ZALO_REFRESH_TOKEN: optionalString,
  ZALO_API_BASE: url("ZALO_API_BASE").default("https://openapi.zalo.me"),
  ZALO_OAUTH_BASE: url("ZALO_OAUTH_BASE").default("https://oauth.zaloapp.com"),
  ZALO_ZNS_BASE: url("ZALO_ZNS_BASE").default("https://business.openapi.zalo.me"),
  ZALO_ZNS_TEMPLATE_STATUS: optionalString,

  ADMIN_API_KEY: z.string().trim().min(16, "ADMIN_API_KEY must be at least 16 characters").optional(),
  HASH_PEPPER: z.string().min(16, "HASH_PEPPER must be at least 16 characters").optional(),
  SATISFACTION_TARGET: z.coerce.number().min(0).max(100).default(84),
  WORKING_HOURS: workingHours.default([
    { start: "07:00", end: "11:30" },
    { start: "13:30", end: "17:00" },
  ]),
  DEMO_DATA: z.enum(["auto", "on", "off"]).default("auto"),
  /** How the chat, notices and survey address citizens: "ongba" (Ông/Bà, public-service style) or "ban" (bạn). */
  FORM_OF_ADDRESS: z.enum(["ongba", "ban"]).default("ongba"),
  /** Bearer token for GET /metrics (Prometheus); unset: /metrics is off. */
  METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
  /** Said when a citizen's unit has no hotline of its own (or nothing is linked yet). */
  SUPPORT_HOTLINE: z.string().trim().min(3).max(100).optional(),
  /** Where out-of-scope questions (fees, documents, filing) are pointed to. */
  PUBLIC_SERVICE_PORTAL_URL: url("PUBLIC_SERVICE_PORTAL_URL").default("https://dichvucong.gov.vn"),
  /** Days unrecognised chat messages (masked) are kept for labelling. */
  UNRECOGNISED_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Retention of other personal data (docs/retention.md). */
  INBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(14),
  CONVERSATION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  OUTBOUND_BODY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(30).max(3650).default(730),

  // Receipt slips (docs/slip.md).
  /** Zalo Official Account id: the slip page links to https://zalo.me/<id>. */
  ZALO_OA_ID: z.string().trim().regex(/^\d{5,25}$/, "ZALO_OA_ID must be the numeric id of the Official Account").optional(),
  /** Key of the slip-token HMAC; unset → derived from the identity pepper. */
  SLIP_SECRET: z.string().min(16, "SLIP_SECRET must be at least 16 characters").optional(),
  /** on: a valid slip token (or short code) proves ownership; off: it only fills in the code. */
  SLIP_PROOF: z.enum(["on", "off"]).default("on"),
  SLIP_VALID_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  SLIP_DECODE_WORKERS: z.coerce.number().int().min(1).max(16).optional(),
  SLIP_DECODE_QUEUE: z.coerce.number().int().min(0).max(1000).default(16),

  // Open data (docs/open-data.md).
  OPEN_DATA: z.enum(["on", "off"]).default("on"),
  OPEN_DATA_REFRESH_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "OPEN_DATA_REFRESH_AT must be HH:MM (Asia/Ho_Chi_Minh)")
    .default("02:00"),
  OPEN_DATA_MIN_CELL: z.coerce.number().int().min(10, "OPEN_DATA_MIN_CELL can only be raised above 10").max(1000).default(10),
  OPEN_DATA_MONTHS: z.coerce.number().int().min(1).max(120).default(24),
  OPEN_DATA_SETTLE_DAYS: z.coerce.number().int().min(0).max(365).default(31),
  OPEN_DATA_TITLE: z.string().trim().min(1).max(200).default("Mức độ hài lòng và tiến độ giải quyết hồ sơ thủ tục hành chính"),
  OPEN_DATA_PUBLISHER: z.string().trim().min(1).max(200).default("Bộ phận Một cửa"),
  OPEN_DATA_PUBLISHER_URL: url("OPEN_DATA_PUBLISHER_URL").optional(),
  OPEN_DATA_LICENSE: z.string().trim().min(1).max(200).default("CC-BY-4.0"),
  OPEN_DATA_LICENSE_URL: url("OPEN_DATA_LICENSE_URL").default("https://creativecommons.org/licenses/by/4.0/"),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),

  // HTTP hardening (README, "Configuration"; docs/admin-api.md, "Errors").
  /** A client must send its request headers within this time (slow-loris). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** A client must send its whole request (headers and body) within this time. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** An idle keep-alive connection is closed after this time. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** Rate limits per client address and minute (0 = off); counters shared through the database. */
  RATE_LIMIT_AUTH_FAILURES: z.coerce.number().int().min(0).max(1_000_000).default(30),
  RATE_LIMIT_TRY: z.coerce.number().int().min(0).max(1_000_000).default(60),
  RATE_LIMIT_WEBHOOK_FAILURES: z.coerce.number().int().min(0).max(1_000_000).default(30),
  /** Which proxies' X-Forwarded-For is believed for the client address (express "trust proxy"). */
  TRUST_PROXY: z.string().trim().min(1).default("loopback, linklocal, uniquelocal"),
  /** Strict-Transport-Security max-age in seconds; 0 (default) sends no HSTS header. Set it only behind TLS. */
  HSTS_MAX_AGE: z.coerce.number().int().min(0).max(63_072_000).default(0),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  database: { kind: "embedded"; dataDir: string } | { kind: "server"; url: string };
  telegram: { enabled: boolean; reason?: string };
  zalo: { enabled: boolean; reason?: string };
}

export class ConfigError extends Error {}

/** Parse the environment; throws ConfigError with one readable line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in .env files mean "unset".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    const got = cleaned[name];
    const shown = got === undefined ? "" : name.match(/TOKEN|SECRET|KEY|PEPPER|URL/) ? " (value hidden)" : ` (got "${got}")`;
    const msg = issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`;
    throw new ConfigError(`Configuration error: ${msg}${shown}`);
  }
  const e = parsed.data;
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS)
    throw new ConfigError("Configuration error: HTTP_HEADERS_TIMEOUT_MS must not be larger than HTTP_REQUEST_TIMEOUT_MS");
  const telegram = e.TELEGRAM_BOT_TOKEN
    ? e.TELEGRAM_MODE === "webhook" && !e.TELEGRAM_WEBHOOK_SECRET
      ? { enabled: false, reason: "TELEGRAM_WEBHOOK_SECRET is required in webhook mode" }
      : { enabled: true }
    : { enabled: false, reason: "TELEGRAM_BOT_TOKEN not set" };
  const zaloMissing = (["ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_WEBHOOK_SECRET", "ZALO_REFRESH_TOKEN"] as const).filter(
    (k) => !e[k],
  );
  const zalo = zaloMissing.length
    ? { enabled: false, reason: `${zaloMissing.join(", ")} not set` }
    : { enabled: true };
  return {
    ...e,
    database: e.DATABASE_URL ? { kind: "server", url: e.DATABASE_URL } : { kind: "embedded", dataDir: e.DATA_DIR },
    telegram,
    zalo,
  };
}
