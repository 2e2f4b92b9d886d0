// The one configuration schema. The environment variables (README, "Configuration") are the
// interface; inside the service they become one typed, nested and frozen object: a section per
// concern, and a discriminated config per chat channel (disabled with its reason | webhook |
// polling). It is parsed once at start-up (src/app/main.ts, src/app/cli.ts); a wrong value
// stops the process with one line naming the variable, secret values never echoed.
import { z } from "zod";
import type { ChannelLimits } from "../core/delivery/pacing.ts";
import { DEFAULT_QUIET_HOURS, quietHoursSchema, type QuietWindow } from "../core/delivery/quiet-hours.ts";

// ---------------------------------------------------------------------------------------------
// Leaves: how one variable is read.

const text = z.string().trim().min(1);
const optionalText = text.optional().catch(undefined);
const httpUrl = (name: string) => z.string().trim().refine((v) => /^https?:\/\/[^\s]+$/.test(v), { message: `${name} must be an http(s) URL` });
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const onOff = z.enum(["on", "off"]);
const rate = (name: string) => z.coerce.number().positive(`${name} must be a positive number (messages per second)`);

const workingHours = z
  .string()
  .regex(/^\d{2}:\d{2}-\d{2}:\d{2}(,\d{2}:\d{2}-\d{2}:\d{2})*$/, "WORKING_HOURS must look like 07:00-11:30,13:30-17:00")
  .transform((v) =>
    v.split(",").map((s) => {
      const [start, end] = s.split("-") as [string, string];
      return { start, end };
    }),
  );

// ---------------------------------------------------------------------------------------------
// Channels: a discriminated config each. A channel without credentials is disabled with the
// reason, which start-up prints and /readyz shows; it is not an error.

const telegramToken = z.string().trim().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "TELEGRAM_BOT_TOKEN must look like 123456:ABC… (from @BotFather)");
const telegramCommon = {
  apiRoot: httpUrl("TELEGRAM_API_ROOT"),
  /** Bot username without @: slip pages link to https://t.me/<username>?start=<token>. */
  username: z.string().optional(),
};
export const telegramConfigSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("disabled"), reason: z.string(), ...telegramCommon }),
  z.object({ mode: z.literal("webhook"), token: telegramToken, webhookSecret: z.string(), ...telegramCommon }),
  z.object({ mode: z.literal("polling"), token: telegramToken, ...telegramCommon }),
]);
export type TelegramConfig = z.infer<typeof telegramConfigSchema>;

const telegramSection = z
  .object({
    token: telegramToken.optional(),
    webhookSecret: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, "TELEGRAM_WEBHOOK_SECRET must be 1–256 characters of A–Z a–z 0–9 _ -")
      .optional(),
    apiRoot: httpUrl("TELEGRAM_API_ROOT").default("https://api.telegram.org"),
    mode: z.enum(["webhook", "polling"]).default("webhook"),
    username: z
      .string()
      .trim()
      .transform((v) => v.replace(/^@/, ""))
      .pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "TELEGRAM_BOT_USERNAME must be a bot username such as hoso_camranh_bot"))
      .optional(),
  })
  .transform(({ token, webhookSecret, apiRoot, mode, username }) => {
    const common = { apiRoot, ...(username ? { username } : {}) };
    if (!token) return { mode: "disabled" as const, reason: "TELEGRAM_BOT_TOKEN not set", ...common };
    if (mode === "polling") return { mode, token, ...common };
    if (!webhookSecret) return { mode: "disabled" as const, reason: "TELEGRAM_WEBHOOK_SECRET is required in webhook mode", ...common };
    return { mode, token, webhookSecret, ...common };
  })
  .pipe(telegramConfigSchema);

const zaloCommon = {
  apiBase: httpUrl("ZALO_API_BASE"),
  oauthBase: httpUrl("ZALO_OAUTH_BASE"),
  znsBase: httpUrl("ZALO_ZNS_BASE"),
  /** Official Account id: the slip page links to https://zalo.me/<id>. */
  oaId: z.string().optional(),
};
export const zaloConfigSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("disabled"), reason: z.string(), ...zaloCommon }),
  z.object({
    mode: z.literal("webhook"),
    appId: z.string(),
    appSecret: z.string(),
    webhookSecret: z.string(),
    accessToken: z.string().optional(),
    refreshToken: z.string(),
    /** ZNS template for status notices when the 7-day window is closed (unset: no ZNS fallback). */
    znsTemplateStatus: z.string().optional(),
    ...zaloCommon,
  }),
]);
export type ZaloConfig = z.infer<typeof zaloConfigSchema>;

const zaloSection = z
  .object({
    appId: optionalText,
    appSecret: optionalText,
    webhookSecret: optionalText,
    accessToken: optionalText,
    refreshToken: optionalText,
    apiBase: httpUrl("ZALO_API_BASE").default("https://openapi.zalo.me"),
    oauthBase: httpUrl("ZALO_OAUTH_BASE").default("https://oauth.zaloapp.com"),
    znsBase: httpUrl("ZALO_ZNS_BASE").default("https://business.openapi.zalo.me"),
    znsTemplateStatus: optionalText,
    oaId: z.string().trim().regex(/^\d{5,25}$/, "ZALO_OA_ID must be the numeric id of the Official Account").optional(),
  })
  .transform((z0) => {
    const common = { apiBase: z0.apiBase, oauthBase: z0.oauthBase, znsBase: z0.znsBase, ...(z0.oaId ? { oaId: z0.oaId } : {}) };
    const { appId, appSecret, webhookSecret, refreshToken } = z0;
    if (!appId || !appSecret || !webhookSecret || !refreshToken) {
      const missing = Object.entries({ ZALO_APP_ID: appId, ZALO_APP_SECRET: appSecret, ZALO_WEBHOOK_SECRET: webhookSecret, ZALO_REFRESH_TOKEN: refreshToken })
        .filter(([, v]) => !v)
        .map(([k]) => k);
      return { mode: "disabled" as const, reason: `${missing.join(", ")} not set`, ...common };
    }
    return {
      mode: "webhook" as const,
      appId,
      appSecret,
      webhookSecret,
      refreshToken,
      ...(z0.accessToken ? { accessToken: z0.accessToken } : {}),
      ...(z0.znsTemplateStatus ? { znsTemplateStatus: z0.znsTemplateStatus } : {}),
      ...common,
    };
  })
  .pipe(zaloConfigSchema);

// ---------------------------------------------------------------------------------------------
// The schema: sections, each leaf naming its variable in ENV below.

export const configSchema = z
  .object({
    database: z
      .object({
        url: z
          .string()
          .trim()
          .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: "DATABASE_URL must start with postgresql://" })
          .optional(),
        dataDir: text.default("./data"),
      })
      .transform((d) => (d.url ? { kind: "server" as const, url: d.url } : { kind: "embedded" as const, dataDir: d.dataDir })),
    http: z
      .object({
        port: int(0, 65535).default(3000),
        host: text.default("0.0.0.0"),
        publicUrl: httpUrl("PUBLIC_URL").optional(),
        /** A client must send its request headers within this time (slow-loris). */
        headersTimeoutMs: int(100, 600_000).default(10_000),
        /** A client must send its whole request (headers and body) within this time. */
        requestTimeoutMs: int(100, 3_600_000).default(60_000),
        /** An idle keep-alive connection is closed after this time. */
        keepAliveTimeoutMs: int(100, 600_000).default(5_000),
        shutdownTimeoutMs: z.coerce.number().int().min(0).default(10_000),
        /** Which proxies' X-Forwarded-For is believed for the client address (express "trust proxy"). */
        trustProxy: text.default("loopback, linklocal, uniquelocal"),
        /** Strict-Transport-Security max-age in seconds; 0 sends no HSTS header. Set it only behind TLS. */
        hstsMaxAge: int(0, 63_072_000).default(0),
      })
      .refine((h) => h.headersTimeoutMs <= h.requestTimeoutMs, {
        message: "HTTP_HEADERS_TIMEOUT_MS must not be larger than HTTP_REQUEST_TIMEOUT_MS",
        path: ["headersTimeoutMs"],
      }),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    telegram: telegramSection,
    zalo: zaloSection,
    access: z.object({
      adminApiKey: z.string().trim().min(16, "ADMIN_API_KEY must be at least 16 characters").optional(),
      hashPepper: z.string().min(16, "HASH_PEPPER must be at least 16 characters").optional(),
      /** Bearer token for GET /metrics (Prometheus); unset: /metrics is off. */
      metricsToken: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
    }),
    chat: z.object({
      /** How the chat, notices and survey address citizens: Ông/Bà (public-service style) or bạn. */
      formOfAddress: z.enum(["ongba", "ban"]).default("ongba"),
      /** Said when a citizen's unit has no hotline of its own (or nothing is linked yet). */
      supportHotline: z.string().trim().min(3).max(100).optional(),
      /** Where out-of-scope questions (fees, documents, filing) are pointed to. */
      portalUrl: httpUrl("PUBLIC_SERVICE_PORTAL_URL").default("https://dichvucong.gov.vn"),
    }),
    workingHours: workingHours.default([
      { start: "07:00", end: "11:30" },
      { start: "13:30", end: "17:00" },
    ]),
    satisfactionTarget: z.coerce.number().min(0).max(100).default(84),
    demoData: z.enum(["auto", "on", "off"]).default("auto"),
    /** Days each kind of personal data is kept (docs/retention.md). */
    retention: z.object({
      unrecognisedDays: int(1, 3650).default(90),
      inboxDays: int(1, 3650).default(14),
      conversationDays: int(1, 3650).default(30),
      outboundBodyDays: int(1, 3650).default(90),
      auditDays: int(30, 3650).default(730),
    }),
    /** Receipt slips (docs/slip.md). */
    slip: z.object({
      /** Key of the slip-token HMAC; unset → derived from the identity pepper. */
      secret: z.string().min(16, "SLIP_SECRET must be at least 16 characters").optional(),
      /** on: a valid slip token (or short code) proves ownership; off: it only fills in the code. */
      proof: onOff.default("on").transform((v) => v === "on"),
      validDays: int(1, 3650).default(90),
      decodeWorkers: int(1, 16).optional(),
      decodeQueue: int(0, 1000).default(16),
    }),
    /** Open data (docs/open-data.md). */
    openData: z.object({
      enabled: onOff.default("on").transform((v) => v === "on"),
      refreshAt: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "OPEN_DATA_REFRESH_AT must be HH:MM (Asia/Ho_Chi_Minh)")
        .default("02:00"),
      minCell: z.coerce.number().int().min(10, "OPEN_DATA_MIN_CELL can only be raised above 10").max(1000).default(10),
      months: int(1, 120).default(24),
      settleDays: int(0, 365).default(31),
      title: z.string().trim().min(1).max(200).default("Mức độ hài lòng và tiến độ giải quyết hồ sơ thủ tục hành chính"),
      publisher: z.string().trim().min(1).max(200).default("Bộ phận Một cửa"),
      publisherUrl: httpUrl("OPEN_DATA_PUBLISHER_URL").optional(),
      license: z.string().trim().min(1).max(200).default("CC-BY-4.0"),
      licenseUrl: httpUrl("OPEN_DATA_LICENSE_URL").default("https://creativecommons.org/licenses/by/4.0/"),
    }),
    /** Rate limits per client address and minute (0 = off); counters shared through the database. */
    rateLimits: z.object({
      authFailures: int(0, 1_000_000).default(30),
      try: int(0, 1_000_000).default(60),
      webhookFailures: int(0, 1_000_000).default(30),
    }),
    delivery: z
      .object({
        telegramRate: rate("DELIVERY_TELEGRAM_RATE").default(30),
        telegramChatRate: rate("DELIVERY_TELEGRAM_CHAT_RATE").default(1),
        zaloRate: rate("DELIVERY_ZALO_RATE").default(10),
        zaloChatRate: rate("DELIVERY_ZALO_CHAT_RATE").default(1),
        maxAttempts: int(1, 50).default(6),
        /** Non-urgent announcements wait outside this window ("off": never). */
        quietHours: quietHoursSchema.optional(),
        workerId: z.string().trim().min(1).max(100).optional(),
        /** shared: one pace for every instance on the database; local: per process; auto: shared on a PostgreSQL server. */
        pacing: z.enum(["auto", "shared", "local"]).default("auto"),
        /** How long a claimed message stays with its instance before another may take it back (a killed instance's messages). */
        claimMs: int(2_000, 3_600_000).default(60_000),
      })
      .transform((d) => ({
        limits: {
          telegram: { perSecond: d.telegramRate, perChatPerSecond: d.telegramChatRate } satisfies ChannelLimits,
          zalo: { perSecond: d.zaloRate, perChatPerSecond: d.zaloChatRate } satisfies ChannelLimits,
        },
        maxAttempts: d.maxAttempts,
        quietHours: (d.quietHours === undefined ? DEFAULT_QUIET_HOURS : d.quietHours) as QuietWindow | null,
        workerId: d.workerId,
        pacing: d.pacing,
        claimMs: d.claimMs,
      })),
    broadcasts: z.object({
      /** Broadcasts with at least this many messages need a second staff member's approval (unset: 1000, or 1 on the demo database). */
      approvalThreshold: z.coerce.number().int().min(1, "BROADCAST_APPROVAL_THRESHOLD must be a positive whole number").optional(),
    }),
    /** The morning digest of dossiers at risk to staff Telegram chats. */
    digest: z
      .object({
        chatIds: z
          .string()
          .trim()
          .regex(/^-?\d{1,20}(\s*,\s*-?\d{1,20})*$/, "STAFF_DIGEST_CHAT_IDS must be Telegram chat ids separated by commas, e.g. -1001234567890,123456789")
          .optional(),
        minRisk: z.coerce.number().min(0, "STAFF_DIGEST_MIN_RISK must be between 0 and 1").max(1, "STAFF_DIGEST_MIN_RISK must be between 0 and 1").default(0.3),
      })
      .transform((d) => ({ chatIds: (d.chatIds ?? "").split(",").map((s) => s.trim()).filter(Boolean), minRisk: d.minRisk })),
  });

/** Which variable feeds each leaf of the schema (same shape as its input). */
const ENV = {
  database: { url: "DATABASE_URL", dataDir: "DATA_DIR" },
  http: {
    port: "PORT",
    host: "HOST",
    publicUrl: "PUBLIC_URL",
    headersTimeoutMs: "HTTP_HEADERS_TIMEOUT_MS",
    requestTimeoutMs: "HTTP_REQUEST_TIMEOUT_MS",
    keepAliveTimeoutMs: "HTTP_KEEP_ALIVE_TIMEOUT_MS",
    shutdownTimeoutMs: "SHUTDOWN_TIMEOUT_MS",
    trustProxy: "TRUST_PROXY",
    hstsMaxAge: "HSTS_MAX_AGE",
  },
  logLevel: "LOG_LEVEL",
  telegram: {
    token: "TELEGRAM_BOT_TOKEN",
    webhookSecret: "TELEGRAM_WEBHOOK_SECRET",
    apiRoot: "TELEGRAM_API_ROOT",
    mode: "TELEGRAM_MODE",
    username: "TELEGRAM_BOT_USERNAME",
  },
  zalo: {
    appId: "ZALO_APP_ID",
    appSecret: "ZALO_APP_SECRET",
    webhookSecret: "ZALO_WEBHOOK_SECRET",
    accessToken: "ZALO_ACCESS_TOKEN",
    refreshToken: "ZALO_REFRESH_TOKEN",
    apiBase: "ZALO_API_BASE",
    oauthBase: "ZALO_OAUTH_BASE",
    znsBase: "ZALO_ZNS_BASE",
    znsTemplateStatus: "ZALO_ZNS_TEMPLATE_STATUS",
    oaId: "ZALO_OA_ID",
  },
  access: { adminApiKey: "ADMIN_API_KEY", hashPepper: "HASH_PEPPER", metricsToken: "METRICS_TOKEN" },
  chat: { formOfAddress: "FORM_OF_ADDRESS", supportHotline: "SUPPORT_HOTLINE", portalUrl: "PUBLIC_SERVICE_PORTAL_URL" },
  workingHours: "WORKING_HOURS",
  satisfactionTarget: "SATISFACTION_TARGET",
  demoData: "DEMO_DATA",
  retention: {
    unrecognisedDays: "UNRECOGNISED_RETENTION_DAYS",
    inboxDays: "INBOX_RETENTION_DAYS",
    conversationDays: "CONVERSATION_RETENTION_DAYS",
    outboundBodyDays: "OUTBOUND_BODY_RETENTION_DAYS",
    auditDays: "AUDIT_RETENTION_DAYS",
  },
  slip: { secret: "SLIP_SECRET", proof: "SLIP_PROOF", validDays: "SLIP_VALID_DAYS", decodeWorkers: "SLIP_DECODE_WORKERS", decodeQueue: "SLIP_DECODE_QUEUE" },
  openData: {
    enabled: "OPEN_DATA",
    refreshAt: "OPEN_DATA_REFRESH_AT",
    minCell: "OPEN_DATA_MIN_CELL",
    months: "OPEN_DATA_MONTHS",
    settleDays: "OPEN_DATA_SETTLE_DAYS",
    title: "OPEN_DATA_TITLE",
    publisher: "OPEN_DATA_PUBLISHER",
    publisherUrl: "OPEN_DATA_PUBLISHER_URL",
    license: "OPEN_DATA_LICENSE",
    licenseUrl: "OPEN_DATA_LICENSE_URL",
  },
  rateLimits: { authFailures: "RATE_LIMIT_AUTH_FAILURES", try: "RATE_LIMIT_TRY", webhookFailures: "RATE_LIMIT_WEBHOOK_FAILURES" },
  delivery: {
    telegramRate: "DELIVERY_TELEGRAM_RATE",
    telegramChatRate: "DELIVERY_TELEGRAM_CHAT_RATE",
    zaloRate: "DELIVERY_ZALO_RATE",
    zaloChatRate: "DELIVERY_ZALO_CHAT_RATE",
    maxAttempts: "DELIVERY_MAX_ATTEMPTS",
    quietHours: "QUIET_HOURS",
    workerId: "DELIVERY_WORKER_ID",
    pacing: "DELIVERY_PACING",
    claimMs: "DELIVERY_CLAIM_MS",
  },
  broadcasts: { approvalThreshold: "BROADCAST_APPROVAL_THRESHOLD" },
  digest: { chatIds: "STAFF_DIGEST_CHAT_IDS", minRisk: "STAFF_DIGEST_MIN_RISK" },
} as const;

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The parsed configuration: read-only all the way down. */
export type Config = DeepReadonly<z.infer<typeof configSchema>>;
export type HttpConfig = Config["http"];
export type DeliverySettings = Config["delivery"];
export type DigestSettings = Config["digest"];

export class ConfigError extends Error {}

type EnvTree = { readonly [k: string]: string | EnvTree };

/** Every variable the service reads (documented in the README). */
export const ENV_NAMES: readonly string[] = (function names(t: EnvTree): string[] {
  return Object.values(t).flatMap((v) => (typeof v === "string" ? [v] : names(v)));
})(ENV);

function gather(tree: EnvTree, env: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, typeof v === "string" ? env[v] : gather(v, env)]));
}

function envNameAt(path: readonly PropertyKey[]): string | undefined {
  let node: string | EnvTree = ENV;
  for (const p of path) {
    if (typeof node === "string") break;
    const next: string | EnvTree | undefined = node[String(p)];
    if (next === undefined) break;
    node = next;
  }
  return typeof node === "string" ? node : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Parse the environment; throws ConfigError with one readable line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in .env files mean "unset".
  const cleaned = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
  const parsed = configSchema.safeParse(gather(ENV, cleaned));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = envNameAt(issue.path) ?? "environment";
    const got = cleaned[name];
    const shown = got === undefined ? "" : /TOKEN|SECRET|KEY|PEPPER|URL/.test(name) ? " (value hidden)" : ` (got "${got.slice(0, 80)}")`;
    const msg = issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`;
    throw new ConfigError(`Configuration error: ${msg}${shown}`);
  }
  return deepFreeze(parsed.data) as Config;
}
