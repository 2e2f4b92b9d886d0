// Entities are pulled out of a message before anything else, for two reasons: their digits
// must not be read as VNI tone keys or as words, and the classifier should see "a phone
// number" rather than one particular number (so "xoá sđt 0905123456 đi" and "xoá sđt
// 0912000111 đi" look alike). Each is replaced by a placeholder word.
import { dossierCodeSpans, normalizeDossierCode, type DossierCodeError } from "../../dossier-code.ts";
import { normalizePhone } from "../../identity.ts";
import type { NoticeChannel } from "../../kernel/channels.ts";

export const PLACEHOLDERS = {
  code: "zzcode",
  badCode: "zzbadcode",
  phone: "zzphone",
  idNumber: "zzidnumber",
  date: "zzdate",
  time: "zztime",
  digits4: "zzdigits",
  number: "zznumber",
  money: "zzmoney",
  channel: "zzchannel",
  url: "zzurl",
  email: "zzemail",
} as const;

export interface Entities {
  /** Valid dossier codes, canonical, in order, without repeats. */
  codes: string[];
  /** Something typed like a dossier code that is not a valid one, with the first reason. */
  badCode: DossierCodeError | null;
  /** Normalised phone numbers. */
  phones: string[];
  /** Whole ID numbers (9 or 12 digits) — a citizen typing the full number instead of 4 digits. */
  idNumbers: number;
  dates: number;
  /** Standalone groups of exactly four digits (the ID proof, or a year). */
  digits4: string[];
  /** Chat channels named, in order of appearance. */
  channels: NoticeChannel[];
  urls: number;
}

export interface Extracted {
  /** The message with every entity replaced by its placeholder word. */
  text: string;
  entities: Entities;
}

// Zero-width characters come with copy-paste; NFKC turns fullwidth digits and NBSP into plain ones.
const INVISIBLE_RE = /[\u200B-\u200D\u2060\uFEFF\u00AD\u180E]/g;

const URL_RE = /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+\.(?:com|vn|net|org|gov\.vn|me|io|ly)(?:\/\S*)?/giu;
const EMAIL_RE = /[\p{L}\d._%+-]+@[\p{L}\d.-]+\.[a-z]{2,}/giu;
// Something shaped like the unit part of a code (000.00.15.H32) that did not make a valid code.
const CODE_LIKE_RE = /(?<![\p{L}\d])\d{2,3}[ .\-_]{0,2}\d{1,2}[ .\-_]{0,2}\d{1,2}[ .\-_]{0,2}[a-z][ .\-_]?\d{1,2}(?:[ .\-_/]{0,3}\d+){0,3}(?![\p{L}\d])/giu;
const PHONE_RE = /(?<![\p{L}\d])(?:\+\s?84|84|0)(?:[ .\-]?\d){8,10}(?![\p{L}\d])/gu;
const ID_RE = /(?<![\p{L}\d])(?:\d[ .]?){11}\d(?![\p{L}\d])|(?<![\p{L}\d])\d{9}(?![\p{L}\d])/gu;
const DATE_RE = /(?<![\p{L}\d])\d{1,2}\s?[/\-.]\s?\d{1,2}(?:\s?[/\-.]\s?\d{2,4})?(?![\p{L}\d])/gu;
const TIME_RE = /(?<![\p{L}\d])\d{1,2}(?:\s?[h:g]\s?\d{0,2}|\s?(?:am|pm|giờ|gio))(?![\p{L}\d])/giu;
const DIGITS4_RE = /(?<![\p{L}\d])\d{4}(?![\p{L}\d])/gu;
// Spaced digits like "1 2 3 4" are the four proof digits typed apart.
const SPACED4_RE = /(?<![\p{L}\d])\d(?: \d){3}(?![\p{L}\d])/gu;
const MONEY_RE = /(?<![\p{L}\d])\d+(?:[.,]\d{3})*(?:[.,]\d+)?\s?(?:vnđ|vnd|đồng|dong|đ|d|k|tr|triệu|trieu|nghìn|nghin|ngàn|ngan)(?![\p{L}\d])/giu;
const NUMBER_RE = /(?<![\p{L}\d])\d+(?:[.,]\d+)*(?![\p{L}\d])/gu;
const CHANNEL_RE = /(?<![\p{L}\d])(telegram|tele|tlg|zalo|zl)(?![\p{L}\d])/giu;

const pad = (word: string) => ` ${word} `;

/** Pulls entities out of a message; the returned text holds placeholders instead. */
export function extractEntities(raw: string): Extracted {
  let text = raw.normalize("NFKC").replace(INVISIBLE_RE, "");
  const entities: Entities = { codes: [], badCode: null, phones: [], idNumbers: 0, dates: 0, digits4: [], channels: [], urls: 0 };

  // (An address has an @, a link a dot or "://": without them the patterns cannot match.)
  if (text.includes("@")) text = text.replace(EMAIL_RE, () => pad(PLACEHOLDERS.email));
  if (text.includes(".") || text.includes("://"))
    text = text.replace(URL_RE, () => {
      entities.urls++;
      return pad(PLACEHOLDERS.url);
    });

  // Every entity below up to the channel names has a digit in it: most chat messages have none.
  if (/[0-9]/.test(text)) {
    // Codes first: their digit groups would otherwise look like dates and numbers.
    const spans = dossierCodeSpans(text);
    for (let k = spans.length - 1; k >= 0; k--) {
      const s = spans[k]!;
      text = text.slice(0, s.start) + pad(PLACEHOLDERS.code) + text.slice(s.end);
    }
    for (const s of spans) if (!entities.codes.includes(s.code)) entities.codes.push(s.code);

    text = text.replace(CODE_LIKE_RE, (m) => {
      const r = normalizeDossierCode(m);
      if (r.ok) {
        if (!entities.codes.includes(r.code)) entities.codes.push(r.code);
        return pad(PLACEHOLDERS.code);
      }
      entities.badCode ??= r.reason;
      return pad(PLACEHOLDERS.badCode);
    });
    text = text.replace(PHONE_RE, (m) => {
      const phone = normalizePhone(m);
      if (!phone) return m;
      if (!entities.phones.includes(phone)) entities.phones.push(phone);
      return pad(PLACEHOLDERS.phone);
    });
    text = text.replace(ID_RE, () => {
      entities.idNumbers++;
      return pad(PLACEHOLDERS.idNumber);
    });
    text = text.replace(MONEY_RE, () => pad(PLACEHOLDERS.money));
    text = text.replace(DATE_RE, () => {
      entities.dates++;
      return pad(PLACEHOLDERS.date);
    });
    text = text.replace(TIME_RE, () => pad(PLACEHOLDERS.time));
    const digits = (m: string) => {
      entities.digits4.push(m.replace(/ /g, ""));
      return pad(PLACEHOLDERS.digits4);
    };
    text = text.replace(SPACED4_RE, digits);
    text = text.replace(DIGITS4_RE, digits);
    text = text.replace(NUMBER_RE, () => pad(PLACEHOLDERS.number));
  }
  text = text.replace(CHANNEL_RE, (m) => {
    entities.channels.push(m.toLowerCase().startsWith("z") ? "zalo" : "telegram");
    return pad(PLACEHOLDERS.channel);
  });
  return { text: text.replace(/\s+/g, " ").trim(), entities };
}

/**
 * A message as the learning loop keeps it: codes, phone and ID numbers, dates, money and
 * every other number replaced by placeholders (which the normaliser reads back as the same
 * entities), channel names kept. Nothing in it identifies the citizen or their dossier.
 */
export function maskForLearning(raw: string): string {
  const { text, entities } = extractEntities(raw);
  let n = 0;
  return text
    .replace(new RegExp(`\\b${PLACEHOLDERS.channel}\\b`, "g"), () => (entities.channels[n++] === "zalo" ? "Zalo" : "Telegram"))
    .replace(/\d{3,}/g, ` ${PLACEHOLDERS.number} `)
    .replace(/\s+/g, " ")
    .trim();
}
