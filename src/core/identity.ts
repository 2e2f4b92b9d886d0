// Applicant identity: phone normalisation and ID-number protection.
// ID numbers (CCCD, 12 digits; old CMND 9 digits) are never stored in clear: an HMAC of the
// full number for matching, an HMAC of (dossier code + last four digits) for the ownership
// proof, and a masked form for display that hides the proof digits.
import { createHmac, timingSafeEqual } from "node:crypto";

/** Vietnamese phone → national form 0xxxxxxxxx, or null when it is not a phone number. */
export function normalizePhone(input: string): string | null {
  const digits = input.replace(/[\s.\-()]/g, "");
  let national: string;
  if (/^\+84\d{9,10}$/.test(digits)) national = "0" + digits.slice(3);
  else if (/^84\d{9,10}$/.test(digits) && digits.length >= 11) national = "0" + digits.slice(2);
  else if (/^0\d{9,10}$/.test(digits)) national = digits;
  else if (/^[1-9]\d{8}$/.test(digits)) national = "0" + digits;
  else return null;
  return national;
}

/** 0905123456 → 84905123456 (the form Zalo ZNS and Telegram contacts use). */
export function phoneToInternational(national: string): string {
  return "84" + national.slice(1);
}

export function maskPhone(national: string): string {
  return national.slice(0, 3) + "****" + national.slice(-3);
}

export function normalizeIdNumber(input: string): string | null {
  const digits = input.replace(/[\s.\-]/g, "");
  return /^(\d{9}|\d{12})$/.test(digits) ? digits : null;
}

export class IdentityHasher {
  constructor(private readonly pepper: string) {}

  private hmac(value: string): string {
    return createHmac("sha256", this.pepper).update(value).digest("base64url");
  }

  idHash(idNumber: string): string {
    return this.hmac("id:" + idNumber);
  }

  last4Hash(dossierCode: string, last4: string): string {
    return this.hmac(`last4:${dossierCode}:${last4}`);
  }

  /** Constant-time check of four digits against the stored proof hash. */
  checkLast4(dossierCode: string, last4: string, stored: string | null): boolean {
    if (!stored || !/^\d{4}$/.test(last4)) return false;
    const a = Buffer.from(this.last4Hash(dossierCode, last4));
    const b = Buffer.from(stored);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** 056089001234 → 056*******•• style: keeps the province prefix, hides everything else. */
export function maskIdNumber(idNumber: string): string {
  return idNumber.slice(0, 3) + "*".repeat(idNumber.length - 3);
}
