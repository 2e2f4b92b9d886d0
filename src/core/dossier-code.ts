/**
 * Dossier codes (mã hồ sơ): `<unit code>-<YYMMDD>-<NNNN>`, e.g. `000.00.06.H56-231027-0361`.
 *
 * - unit code: the receiving unit in QCVN 102:2016 form, four dot-separated groups
 *   `DDD.DD.DD.LDD` (the last group is the province letter + 2 digits, e.g. `H56`);
 * - receipt date as YYMMDD (YY → 20YY);
 * - daily sequence 0001–9999.
 *
 * Every group has a fixed width, so once all separators are stripped the code is a
 * 20-character string `7 digits + letter + 12 digits`. That is what lets us accept
 * missing dots/dashes: separators carry no information, we only insist that any
 * separator the user did type sits on a real group boundary (a separator in the
 * middle of a group usually means a digit was dropped or added somewhere).
 */

export const DOSSIER_CODE_ERROR_REASONS = [
  /** Nothing but whitespace / invisible characters. */
  "empty",
  /** Input longer than {@link MAX_DOSSIER_CODE_INPUT_LENGTH} characters. */
  "too_long",
  /** Contains characters that can never be part of a code (e.g. `@`, `#`, Vietnamese letters). */
  "invalid_character",
  /** The `000.00.06.H56` part is malformed. */
  "bad_unit_code",
  /** The YYMMDD part is malformed or not a real calendar date. */
  "bad_date",
  /** The NNNN part is malformed or `0000`. */
  "bad_sequence",
  /** Unit code is fine but the date and/or the sequence is missing. */
  "incomplete",
  /** Does not look like a dossier code at all. */
  "unrecognised",
] as const;

export type DossierCodeError = (typeof DOSSIER_CODE_ERROR_REASONS)[number];

export interface NormalizedDossierCode {
  ok: true;
  /** Canonical form, e.g. `000.00.06.H56-231027-0361`. */
  code: string;
  /** e.g. `000.00.06.H56`. */
  unitCode: string;
  /** ISO date `YYYY-MM-DD`. */
  receivedDate: string;
  /** 1–9999. */
  sequence: number;
}

export type DossierCodeResult = NormalizedDossierCode | { ok: false; reason: DossierCodeError };

export const MAX_DOSSIER_CODE_INPUT_LENGTH = 200;
/** Telegram limit for the `/start` deep-link parameter. */
export const START_PAYLOAD_MAX_LENGTH = 64;

// --- character cleanup -----------------------------------------------------

// Zero-width space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel separator:
// invisible, but they come along with copy-paste from PDFs and web portals.
const INVISIBLE_RE = /[\u200B-\u200D\u2060\uFEFF\u00AD\u180E]/g;
// Everything users put where a hyphen belongs. NFKC already folds the fullwidth
// hyphen (U+FF0D) to "-" and the non-breaking hyphen (U+2011) to U+2010.
const DASH_RE = /[\u2010-\u2015\u2043\u2212\uFE58\uFE63\uFF0D_/\\]/g;
// Commas, middle dots and ideographic full stops typed instead of dots.
const DOT_RE = /[,\u00B7\u3002\uFF0C\uFF61]/g;
// Quotes, brackets and sentence punctuation around a pasted code.
const EDGE_PUNCT_RE = /^[\s.\-'"`“”‘’«»()[\]{}<>!?;:]+|[\s.\-'"`“”‘’«»()[\]{}<>!?;:]+$/g;

/**
 * Folds the text to a small alphabet: NFKC (fullwidth digits/letters, NBSP → space),
 * invisible characters removed, every dash-like character → "-", comma-like → ".",
 * whitespace runs → one space, upper case.
 */
function fold(text: string): string {
  return text
    .normalize("NFKC")
    .replace(INVISIBLE_RE, "")
    .replace(DASH_RE, "-")
    .replace(DOT_RE, ".")
    .replace(/\s+/g, " ")
    .toUpperCase();
}

// --- structure -------------------------------------------------------------

/** Any run of separators, allowed only between groups. */
const SEP = "[ .\\-]*";
const GROUPS = `(\\d{3})${SEP}(\\d{2})${SEP}(\\d{2})${SEP}([A-Z]\\d{2})`;
const FULL_RE = new RegExp(`^${GROUPS}${SEP}(\\d{6})${SEP}(\\d{4})$`);
/** Whole match + the six capture groups of {@link FULL_RE}. */
type FullMatch = [string, string, string, string, string, string, string];
const UNIT_RE = new RegExp(`^${GROUPS}$`);
const UNIT_PREFIX_RE = new RegExp(`^${GROUPS}`);

/**
 * Inside free text we are stricter about separators (at most one dot/dash with optional
 * spaces, or a single space) so that unrelated numbers in a sentence are not glued
 * together. The digit look-arounds stop a match from starting or ending inside a longer
 * number (phone numbers, citizen ID numbers).
 */
const TEXT_SEP = "(?: ?[.\\-] ?| )?";
const TEXT_RE = new RegExp(
  `(?<!\\d)\\d{3}${TEXT_SEP}\\d{2}${TEXT_SEP}\\d{2}${TEXT_SEP}[A-Z]\\d{2}` +
    `${TEXT_SEP}\\d{6}${TEXT_SEP}\\d{4}(?!\\d)`,
  "g",
);

/** `YYMMDD` → `20YY-MM-DD`, or null if it is not a real calendar date. */
function parseDate(yymmdd: string): string | null {
  if (!/^\d{6}$/.test(yymmdd)) return null;
  const year = 2000 + Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return `${year}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

function parseSequence(nnnn: string): number | null {
  if (!/^\d{4}$/.test(nnnn)) return null;
  const n = Number(nnnn);
  return n === 0 ? null : n;
}

const stripSeparators = (s: string): string => s.replace(/[ .]/g, "");

/**
 * Picks the most useful reason for a string (already folded, trimmed, made only of
 * `[0-9A-Z .-]`) that did not match the full structure.
 */
function diagnose(s: string): DossierCodeError {
  // With at least two dashes, the last two dash-parts are date and sequence,
  // so each part can be judged on its own.
  const parts = s.split(/ ?-[ -]*/);
  if (parts.length >= 3) {
    const seq = stripSeparators(parts[parts.length - 1]!);
    const date = stripSeparators(parts[parts.length - 2]!);
    if (/^\d+$/.test(date) && /^\d+$/.test(seq)) {
      if (!UNIT_RE.test(parts.slice(0, -2).join("."))) {
        // A valid unit code followed by too many dash-parts is not a unit-code problem.
        return UNIT_RE.test(parts[0]!) ? "unrecognised" : "bad_unit_code";
      }
      if (parseDate(date) === null) return "bad_date";
      if (parseSequence(seq) === null) return "bad_sequence";
    }
  }

  const unit = UNIT_PREFIX_RE.exec(s);
  if (!unit) {
    // Starts like a number and has a letter somewhere: most likely a mistyped unit code.
    return /^\d/.test(s) && /[A-Z]/.test(s) ? "bad_unit_code" : "unrecognised";
  }
  const rest = s.slice(unit[0].length).split(/[ .-]+/).filter(Boolean);
  if (rest.length === 0) return "incomplete";
  if (rest.length === 1) {
    const [token] = rest as [string];
    if (!/^\d+$/.test(token) || token.length > 10) return "unrecognised";
    if (token.length === 6 && parseDate(token) === null) return "bad_date";
    return "incomplete";
  }
  if (rest.length === 2) {
    const [date, seq] = rest as [string, string];
    if (parseDate(date) === null) return "bad_date";
    if (parseSequence(seq) === null) return "bad_sequence";
  }
  return "unrecognised";
}

/**
 * Parses a dossier code typed by a citizen and returns it in canonical form.
 *
 * Tolerates case, spaces anywhere between groups, unicode dashes / `_` / `/` instead
 * of hyphens, commas instead of dots, missing dots or dashes, fullwidth characters,
 * zero-width characters, NBSP and surrounding quotes/punctuation.
 */
export function normalizeDossierCode(input: string): DossierCodeResult {
  if (input.length > MAX_DOSSIER_CODE_INPUT_LENGTH) return { ok: false, reason: "too_long" };
  const folded = fold(input).trim();
  if (folded === "") return { ok: false, reason: "empty" };
  const s = folded.replace(EDGE_PUNCT_RE, "");
  if (s === "") return { ok: false, reason: "unrecognised" };
  if (/[^0-9A-Z .-]/.test(s)) return { ok: false, reason: "invalid_character" };

  const m = FULL_RE.exec(s);
  if (!m) return { ok: false, reason: diagnose(s) };
  const [, g1, g2, g3, province, yymmdd, nnnn] = m as unknown as FullMatch;
  const receivedDate = parseDate(yymmdd);
  if (receivedDate === null) return { ok: false, reason: "bad_date" };
  const sequence = parseSequence(nnnn);
  if (sequence === null) return { ok: false, reason: "bad_sequence" };

  const unitCode = `${g1}.${g2}.${g3}.${province}`;
  return { ok: true, code: `${unitCode}-${yymmdd}-${nnnn}`, unitCode, receivedDate, sequence };
}

/** All distinct valid dossier codes found in free text, canonical, in order of appearance. */
export function extractDossierCodes(text: string): string[] {
  const found: string[] = [];
  for (const match of fold(text).matchAll(TEXT_RE)) {
    const result = normalizeDossierCode(match[0]);
    // Structurally matching but impossible codes (e.g. month 13) are skipped.
    if (result.ok && !found.includes(result.code)) found.push(result.code);
  }
  return found;
}

/** Where a code sits in free text: offsets into the text as given, and the canonical code. */
export interface DossierCodeSpan {
  start: number;
  end: number;
  code: string;
}

// The free-text pattern of TEXT_RE without upper-casing first, so that offsets stay offsets
// into the caller's text (dash- and comma-like characters are folded one for one).
const TEXT_RE_ANY_CASE = new RegExp(TEXT_RE.source.replaceAll("[A-Z]", "[A-Za-z]"), "g");

/** Valid dossier codes in free text with their positions (codes with impossible dates are left out). */
export function dossierCodeSpans(text: string): DossierCodeSpan[] {
  const oneForOne = text.replace(DASH_RE, "-").replace(DOT_RE, ".");
  const spans: DossierCodeSpan[] = [];
  for (const match of oneForOne.matchAll(TEXT_RE_ANY_CASE)) {
    const result = normalizeDossierCode(match[0]);
    if (result.ok) spans.push({ start: match.index, end: match.index + match[0].length, code: result.code });
  }
  return spans;
}

/** The first valid dossier code in free text (canonical), or null. */
export function extractDossierCode(text: string): string | null {
  return extractDossierCodes(text)[0] ?? null;
}

const PAYLOAD_RE = /^(\d{3})_(\d{2})_(\d{2})_([A-Z]\d{2})-(\d{6})-(\d{4})$/;

/**
 * Telegram deep-link payload (`t.me/<bot>?start=<payload>` → `/start <payload>`) for a code.
 *
 * Encoding: the canonical code with every "." replaced by "_", everything else unchanged:
 * `000.00.06.H56-231027-0361` → `000_00_06_H56-231027-0361` (always 25 chars, well
 * within Telegram's limit of 64 characters from `[A-Za-z0-9_-]`). The result stays
 * human-readable, which helps when a citizen forwards the link.
 *
 * Accepts any input {@link normalizeDossierCode} accepts; throws a RangeError otherwise,
 * since callers are expected to pass a code they have already validated.
 */
export function encodeStartPayload(code: string): string {
  const result = normalizeDossierCode(code);
  if (!result.ok) throw new RangeError(`Not a valid dossier code (${result.reason})`);
  return result.code.replaceAll(".", "_");
}

/**
 * Inverse of {@link encodeStartPayload}: the canonical code, or null if the payload is
 * not exactly in that encoding (wrong shape, over 64 chars, impossible date, sequence 0000).
 */
export function decodeStartPayload(payload: string): string | null {
  if (payload.length > START_PAYLOAD_MAX_LENGTH) return null;
  const m = PAYLOAD_RE.exec(payload);
  if (!m) return null;
  const result = normalizeDossierCode(payload.replaceAll("_", "."));
  return result.ok ? result.code : null;
}
