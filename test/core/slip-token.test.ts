// Slip tokens and short slip codes: what the QR on the receipt slip carries, and the code a
// citizen sends on Zalo. Pure functions, no database.
import { describe, expect, it } from "vitest";
import { decodeStartPayload, encodeStartPayload, START_PAYLOAD_MAX_LENGTH } from "../../src/core/dossier-code.ts";
import { slipPayloadFromScan } from "../../src/core/slip/photo.ts";
import { slipLink, tokenFromSlipLink } from "../../src/core/slip/qr.ts";
import { formatShortSlipCode, generateShortSlipCode, looksLikeShortSlipCode, normalizeShortSlipCode, SHORT_SLIP_ALPHABET } from "../../src/core/slip/short-code.ts";
import { createSlipSigner, looksLikeSlipToken, slipExpiresAt, slipKey } from "../../src/core/slip/token.ts";

const SECRET = "slip-secret-for-tests-0123456789";
const CODE = "000.00.15.H32-230112-0001";
const APPOINTMENT = new Date("2023-02-02T02:00:00Z"); // 09:00 in Vietnam
const signer = createSlipSigner(SECRET);

describe("slip tokens", () => {
  it("round-trips the dossier code and fits a Telegram start payload", () => {
    const token = signer.createSlipToken(CODE, APPOINTMENT);
    expect(token.length).toBeLessThanOrEqual(START_PAYLOAD_MAX_LENGTH);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(signer.verifySlipToken(token, new Date("2023-01-20T00:00:00Z"))?.code).toBe(CODE);
  });

  it("carries every valid code, including letters other than H and the largest groups", () => {
    for (const code of ["999.99.99.Z99-991231-9999", "000.00.00.A00-000101-0001", "000.17.22.H56-210531-0417"]) {
      const t = signer.createSlipToken(code, APPOINTMENT);
      expect(signer.verifySlipToken(t, APPOINTMENT)?.code).toBe(code);
    }
  });

  it("accepts the code however staff typed it and signs the canonical form", () => {
    const t = signer.createSlipToken("000 00 15 h32 – 230112 – 0001", APPOINTMENT);
    expect(signer.verifySlipToken(t, APPOINTMENT)?.code).toBe(CODE);
  });

  it("is never mistaken for the plain-code start payload, and vice versa", () => {
    const token = signer.createSlipToken(CODE, APPOINTMENT);
    expect(decodeStartPayload(token)).toBeNull();
    const plain = encodeStartPayload(CODE);
    expect(looksLikeSlipToken(plain)).toBe(false);
    expect(signer.verifySlipToken(plain, APPOINTMENT)).toBeNull();
  });

  it("expires at the end of the Vietnam day SLIP_VALID_DAYS after the appointment", () => {
    const token = signer.createSlipToken(CODE, APPOINTMENT);
    // 2023-02-02 + 90 days = 2023-05-03; valid through 23:59 Vietnam time (16:59 UTC).
    expect(slipExpiresAt(APPOINTMENT).toISOString()).toBe("2023-05-03T17:00:00.000Z");
    expect(signer.verifySlipToken(token, new Date("2023-05-03T16:59:59Z"))?.code).toBe(CODE);
    expect(signer.verifySlipToken(token, new Date("2023-05-03T17:00:00Z"))).toBeNull();
    const short = createSlipSigner(SECRET, { validDays: 1 }).createSlipToken(CODE, APPOINTMENT);
    expect(signer.verifySlipToken(short, new Date("2023-02-03T16:59:00Z"))?.code).toBe(CODE);
    expect(signer.verifySlipToken(short, new Date("2023-02-03T17:00:00Z"))).toBeNull();
  });

  it("rejects a token signed with another secret", () => {
    const forged = createSlipSigner("another-secret-0123456789abcdef").createSlipToken(CODE, APPOINTMENT);
    expect(signer.verifySlipToken(forged, APPOINTMENT)).toBeNull();
  });

  it("rejects every single-character alteration", () => {
    const token = signer.createSlipToken(CODE, APPOINTMENT);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let tried = 0;
    for (let i = 0; i < token.length; i++) {
      for (const c of [alphabet[(alphabet.indexOf(token[i]!) + 1) % 64]!, alphabet[(alphabet.indexOf(token[i]!) + 33) % 64]!]) {
        const altered = token.slice(0, i) + c + token.slice(i + 1);
        if (altered === token) continue;
        tried++;
        expect(signer.verifySlipToken(altered, APPOINTMENT), altered).toBeNull();
      }
    }
    expect(tried).toBeGreaterThan(60);
  });

  it("rejects a token for another code made by swapping the code part (the MAC covers it)", () => {
    const a = Buffer.from(signer.createSlipToken(CODE, APPOINTMENT).slice(1), "base64url");
    const b = Buffer.from(signer.createSlipToken("000.00.15.H32-230112-0002", APPOINTMENT).slice(1), "base64url");
    const spliced = "s" + Buffer.concat([b.subarray(0, 12), a.subarray(12)]).toString("base64url");
    expect(signer.verifySlipToken(spliced, APPOINTMENT)).toBeNull();
  });

  it("rejects malformed input without throwing", () => {
    for (const bad of ["", "s", "s" + "A".repeat(31), "s" + "A".repeat(33), "x" + "A".repeat(32), "s" + "!".repeat(32), "s".repeat(500)])
      expect(signer.verifySlipToken(bad, APPOINTMENT)).toBeNull();
  });

  it("derives the key from the pepper unless SLIP_SECRET is set", () => {
    expect(slipKey(undefined, "pepper-a-0123456789").equals(slipKey(undefined, "pepper-a-0123456789"))).toBe(true);
    expect(slipKey(undefined, "pepper-a-0123456789").equals(slipKey(undefined, "pepper-b-0123456789"))).toBe(false);
    expect(slipKey(SECRET, "pepper-a-0123456789").toString()).toBe(SECRET);
  });
});

describe("slip links and scanned texts", () => {
  const token = signer.createSlipToken(CODE, APPOINTMENT);

  it("builds /l/<token> under PUBLIC_URL and reads it back from any host", () => {
    const link = slipLink("https://hoso.camranh.gov.vn/", token);
    expect(link).toBe(`https://hoso.camranh.gov.vn/l/${token}`);
    expect(tokenFromSlipLink(link)).toBe(token);
    expect(tokenFromSlipLink(`http://localhost:3000/bot/l/${token}?utm=x`)).toBe(token);
    expect(tokenFromSlipLink("https://example.com/x/" + token)).toBeNull();
  });

  it("maps what a camera reads to the photo payload: token, start payload, or dossier code", () => {
    expect(slipPayloadFromScan(slipLink("https://a.example", token))).toBe(token);
    expect(slipPayloadFromScan(`https://t.me/hoso_bot?start=${token}`)).toBe(token);
    expect(slipPayloadFromScan(`https://t.me/hoso_bot?start=${encodeStartPayload(CODE)}`)).toBe(CODE);
    expect(slipPayloadFromScan("000.00.15.H32-230112-0001")).toBe(CODE);
    expect(slipPayloadFromScan("Mã hồ sơ: 000.00.15.H32-230112-0001")).toBe(CODE);
    expect(slipPayloadFromScan("https://shop.example/promo")).toBeNull();
    expect(slipPayloadFromScan("")).toBeNull();
  });
});

describe("short slip codes", () => {
  it("generates 8 characters of the unambiguous alphabet with digits and letters", () => {
    for (let i = 0; i < 500; i++) {
      const c = generateShortSlipCode();
      expect(c).toHaveLength(8);
      for (const ch of c) expect(SHORT_SLIP_ALPHABET).toContain(ch);
      expect(c).not.toMatch(/[ILOU]/);
      expect(looksLikeShortSlipCode(c)).toBe(true);
    }
  });

  it("reads the code however it is typed: case, a separator, look-alike letters, quotes", () => {
    expect(formatShortSlipCode("K7QM4XPD")).toBe("K7QM-4XPD");
    for (const typed of ["K7QM4XPD", "k7qm-4xpd", " K7QM 4XPD ", "“K7QM–4XPD”", "k7qm.4xpd"]) expect(normalizeShortSlipCode(typed), typed).toBe("K7QM4XPD");
    expect(normalizeShortSlipCode("1O2I3L4Z")).toBe("1021314Z");
  });

  it("tells codes from ordinary chat text", () => {
    for (const text of ["xin chào", "hồ sơ của tôi", "0905123456", "056089001234", "12345678", "ABCDEFGH", "hoso", "000.00.15.H32-230112-0001", "trạng thái"])
      expect(looksLikeShortSlipCode(text), text).toBe(false);
    for (const text of ["K7QM-4XPD", "h3x9 2mpq"]) expect(looksLikeShortSlipCode(text), text).toBe(true);
  });
});
