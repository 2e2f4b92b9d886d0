/**
 * Signed slip tokens: what the QR on the receipt slip (phiếu tiếp nhận và hẹn trả kết quả)
 * carries, in `${PUBLIC_URL}/l/<token>` and as the Telegram `/start <token>` payload.
 *
 * A citizen who arrives with a valid token has shown the slip the counter handed them, so
 * the token is signed (HMAC-SHA256 with a server secret) and expires some time after the
 * appointment. Anyone can read the dossier code out of a token — the code is printed on the
 * same slip and reveals nothing personal — but nobody can make one for another code.
 *
 * Layout (24 bytes, base64url → 32 characters, prefixed with "s" → 33 characters):
 *   [1] version (1)
 *   [9] the dossier code packed as one integer: the code has 20 significant characters,
 *       `7 digits + letter + 12 digits` (src/core/dossier-code.ts), so
 *       ((d7 × 26 + letter) × 10^12 + d12) < 2.6 × 10^20 < 2^72
 *   [2] expiry: days since 1970-01-01 (Vietnam date), valid to the end of that day
 *   [12] the first 96 bits of HMAC-SHA256(key, "dossier-slip" ‖ the 12 bytes above)
 *
 * 24 bytes is a multiple of 3, so the base64url text has no spare bits: every change to the
 * text changes the bytes, and an altered token fails the MAC. The token fits Telegram's
 * start parameter (≤ 64 of A–Z a–z 0–9 _ -) and keeps the QR small (version 4–5 for a
 * typical https host). It cannot be mistaken for the plain-code payload of
 * encodeStartPayload(), which starts with a digit and is always 25 characters long.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { normalizeDossierCode } from "../dossier-code.ts";

export const SLIP_TOKEN_PREFIX = "s";
const VERSION = 1;
const CODE_BYTES = 9;
const MAC_BYTES = 12;
const BODY_BYTES = 1 + CODE_BYTES + 2;
const TOKEN_BYTES = BODY_BYTES + MAC_BYTES;
export const SLIP_TOKEN_LENGTH = SLIP_TOKEN_PREFIX.length + (TOKEN_BYTES / 3) * 4;
const TOKEN_RE = new RegExp(`^${SLIP_TOKEN_PREFIX}[A-Za-z0-9_-]{${(TOKEN_BYTES / 3) * 4}}$`);
const DOMAIN = Buffer.from("dossier-slip", "utf8");

/** How long after the appointment a slip still links (a citizen may come back late). */
export const DEFAULT_SLIP_VALID_DAYS_AFTER_APPOINTMENT = 90;

const DAY_MS = 86_400_000;
/** Vietnam is UTC+7 all year: a Vietnam calendar day starts at 17:00 UTC the day before. */
const VN_OFFSET_MS = 7 * 3_600_000;
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const TWELVE = 10n ** 12n;
const MAX_PACKED = 10n ** 7n * 26n * TWELVE;

export interface VerifiedSlip {
  /** Canonical dossier code. */
  code: string;
  /** First instant at which the token no longer links. */
  expiresAt: Date;
}

export interface SlipSigner {
  /** A token for the dossier, valid until `validDays` Vietnam days after the appointment. */
  createSlipToken(code: string, appointmentAt: Date): string;
  /** The code of a genuine, unexpired token; null for anything forged, altered, expired or malformed. */
  verifySlipToken(token: string, now?: Date): VerifiedSlip | null;
}

/** Whether a text has the shape of a slip token (it may still be forged or expired). */
export function looksLikeSlipToken(text: string): boolean {
  return TOKEN_RE.test(text);
}

/**
 * A signer over one secret (SLIP_SECRET, or the key derived by slipKey()). Throws a
 * RangeError on codes that are not valid dossier codes: callers pass stored codes.
 */
export function createSlipSigner(secret: string | Buffer, opts: { validDays?: number } = {}): SlipSigner {
  const key = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  if (key.length < 16) throw new RangeError("slip secret must be at least 16 bytes");
  const validDays = opts.validDays ?? DEFAULT_SLIP_VALID_DAYS_AFTER_APPOINTMENT;
  const mac = (body: Buffer) => createHmac("sha256", key).update(DOMAIN).update(body).digest().subarray(0, MAC_BYTES);

  return {
    createSlipToken(code, appointmentAt) {
      const packed = packCode(code);
      const expiryDay = vnDay(appointmentAt) + validDays;
      if (!Number.isFinite(expiryDay) || expiryDay < 0 || expiryDay > 0xffff) throw new RangeError("appointment date out of range for a slip token");
      const body = Buffer.alloc(BODY_BYTES);
      body[0] = VERSION;
      packed.copy(body, 1);
      body.writeUInt16BE(expiryDay, 1 + CODE_BYTES);
      return SLIP_TOKEN_PREFIX + Buffer.concat([body, mac(body)]).toString("base64url");
    },
    verifySlipToken(token, now = new Date()) {
      if (!TOKEN_RE.test(token)) return null;
      const raw = Buffer.from(token.slice(SLIP_TOKEN_PREFIX.length), "base64url");
      // Decoders forgive; a token must be exactly the canonical text of its bytes.
      if (raw.length !== TOKEN_BYTES || SLIP_TOKEN_PREFIX + raw.toString("base64url") !== token) return null;
      const body = raw.subarray(0, BODY_BYTES);
      if (body[0] !== VERSION) return null;
      if (!timingSafeEqual(mac(body), raw.subarray(BODY_BYTES))) return null;
      const code = unpackCode(body.subarray(1, 1 + CODE_BYTES));
      if (!code) return null;
      const expiresAt = new Date((body.readUInt16BE(1 + CODE_BYTES) + 1) * DAY_MS - VN_OFFSET_MS);
      if (now.getTime() >= expiresAt.getTime()) return null;
      return { code, expiresAt };
    },
  };
}

/**
 * The signing key: SLIP_SECRET when set; otherwise derived from the identity pepper
 * (HASH_PEPPER or the generated one kept in the database), so that slips printed before a
 * restart keep working. Changing the source invalidates every printed slip.
 */
export function slipKey(slipSecret: string | undefined, pepper: string): Buffer {
  if (slipSecret) return Buffer.from(slipSecret, "utf8");
  return createHmac("sha256", pepper).update("slip-token-key/v1").digest();
}

/** The first instant a slip for this appointment no longer links: the end of the Vietnam day `validDays` after it. */
export function slipExpiresAt(appointmentAt: Date, validDays = DEFAULT_SLIP_VALID_DAYS_AFTER_APPOINTMENT): Date {
  return new Date((vnDay(appointmentAt) + validDays + 1) * DAY_MS - VN_OFFSET_MS);
}

/** Days since 1970-01-01 of the Vietnam calendar date of an instant. */
function vnDay(at: Date): number {
  return Math.floor((at.getTime() + VN_OFFSET_MS) / DAY_MS);
}

function packCode(code: string): Buffer {
  const n = normalizeDossierCode(code);
  if (!n.ok) throw new RangeError(`Not a valid dossier code (${n.reason})`);
  const s = n.code.replace(/[.-]/g, "");
  const d7 = BigInt(s.slice(0, 7));
  const letter = BigInt(LETTERS.indexOf(s[7]!));
  const d12 = BigInt(s.slice(8));
  let v = (d7 * 26n + letter) * TWELVE + d12;
  const out = Buffer.alloc(CODE_BYTES);
  for (let i = CODE_BYTES - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function unpackCode(bytes: Buffer): string | null {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (v >= MAX_PACKED) return null;
  const d12 = (v % TWELVE).toString().padStart(12, "0");
  const rest = v / TWELVE;
  const letter = LETTERS[Number(rest % 26n)]!;
  const d7 = (rest / 26n).toString().padStart(7, "0");
  const s = d7 + letter + d12;
  const n = normalizeDossierCode(`${s.slice(0, 3)}.${s.slice(3, 5)}.${s.slice(5, 7)}.${s.slice(7, 10)}-${s.slice(10, 16)}-${s.slice(16)}`);
  return n.ok ? n.code : null;
}
