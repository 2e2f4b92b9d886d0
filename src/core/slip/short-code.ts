/**
 * Short slip codes: 8 characters a citizen can send as their first Zalo message (Zalo's
 * `https://zalo.me/<OA id>` link carries no payload, so the code has to travel as text).
 *
 * Alphabet: Crockford's base 32 (0–9 and A–Z without I, L, O, U), case-insensitive, with
 * the usual folding of look-alikes (O → 0, I and L → 1), so that codes read off a photo or
 * typed by hand survive. A code has at least two digits 2–9 and two letters, which lets
 * looksLikeShortSlipCode() tell a code from words and numbers in a chat. 40 random bits
 * per code; wrong codes count against the linking attempt limits like any other proof.
 *
 * One code per dossier, stored in Dossier.slipCode (unique), made the first time a slip is
 * printed or its link opened. It stops linking when the slip token would:
 * at the end of the Vietnam day SLIP_VALID_DAYS after the appointment.
 */
import { randomInt } from "node:crypto";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { slipExpiresAt } from "./token.ts";

export const SHORT_SLIP_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const SHORT_SLIP_CODE_LENGTH = 8;

/** Longest chat text still considered (a code with separators and quotes around it). */
const MAX_TEXT = 24;
const FOLD: Record<string, string> = { O: "0", I: "1", L: "1" };
const SEPARATORS = /[\s\-‐-―.·_]+/g;
const EDGES = /^["'`“”‘’«»()[\]{}<>#:]+|["'`“”‘’«»()[\]{}<>.!?:]+$/g;

/** "k7qm-4xpd" → "K7QM4XPD"; null when the text is not shaped like a short slip code. */
export function normalizeShortSlipCode(text: string): string | null {
  if (text.length > MAX_TEXT) return null;
  const raw = text.normalize("NFKC").trim().replace(EDGES, "").replace(SEPARATORS, "").toUpperCase();
  if (raw.length !== SHORT_SLIP_CODE_LENGTH) return null;
  // Typed by a person: at least one digit and one letter, else it is a number or a word.
  if (!/[0-9]/.test(raw) || !/[A-Z]/.test(raw)) return null;
  const folded = [...raw].map((c) => FOLD[c] ?? c).join("");
  for (const c of folded) if (!SHORT_SLIP_ALPHABET.includes(c)) return null;
  return folded;
}

/**
 * Whether a chat text looks like a short slip code, right or wrong (so that a wrong one can
 * count against the attempt limits instead of being taken as a question).
 */
export function looksLikeShortSlipCode(text: string): boolean {
  return normalizeShortSlipCode(text) !== null;
}

/** "K7QM4XPD" → "K7QM-4XPD": how the code is printed and shown. */
export function formatShortSlipCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** A fresh random code (not yet checked for uniqueness). */
export function generateShortSlipCode(): string {
  for (;;) {
    let s = "";
    for (let i = 0; i < SHORT_SLIP_CODE_LENGTH; i++) s += SHORT_SLIP_ALPHABET[randomInt(SHORT_SLIP_ALPHABET.length)];
    const digits = s.replace(/[^2-9]/g, "").length;
    const letters = s.replace(/[^A-Z]/g, "").length;
    if (digits >= 2 && letters >= 2) return s;
  }
}

/** The dossier's short slip code, created on first use. Null when there is no such dossier. */
export async function ensureShortSlipCode(prisma: PrismaClient, dossierCode: string): Promise<string | null> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const d = await prisma.dossier.findUnique({ where: { code: dossierCode }, select: { id: true, slipCode: true } });
    if (!d) return null;
    if (d.slipCode) return d.slipCode;
    try {
      // Only if still unset: two printers at once agree on the first code written.
      await prisma.dossier.updateMany({ where: { id: d.id, slipCode: null }, data: { slipCode: generateShortSlipCode() } });
    } catch (err) {
      // A collision with another dossier's code (1 in 2^40 per pair): draw again.
      if (!isUniqueViolation(err)) throw err;
    }
  }
  throw new Error("could not allocate a short slip code");
}

/**
 * The dossier code a short slip code stands for, or null: not shaped like a code, no such
 * code, or the slip has expired. Callers answer null exactly like a wrong proof.
 */
export async function lookupShortSlipCode(
  prisma: PrismaClient,
  text: string,
  opts: { now?: Date; validDays?: number } = {},
): Promise<string | null> {
  const slipCode = normalizeShortSlipCode(text);
  if (!slipCode) return null;
  const d = await prisma.dossier.findUnique({ where: { slipCode }, select: { code: true, appointmentAt: true } });
  if (!d) return null;
  const now = opts.now ?? new Date();
  return now.getTime() < slipExpiresAt(d.appointmentAt, opts.validDays).getTime() ? d.code : null;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}
