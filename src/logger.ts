import { pino, type Logger } from "pino";

export type { Logger };

/** Paths whose values never reach logs (tokens, keys, personal data). */
const REDACT = [
  "req.headers.authorization",
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-zevent-signature"]',
  "*.access_token",
  "*.refresh_token",
  "*.token",
  "*.apiKey",
  "*.phone",
  "*.idNumber",
  "*.applicant",
];

export function createLogger(level = "info"): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" }, base: undefined });
}

export const silentLogger: Logger = pino({ level: "silent" });
