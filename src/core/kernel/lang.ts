// The languages the citizen chat, notices and surveys speak: one definition for the whole
// code base (adding a language starts here and in the message catalogs).
export const LANGUAGES = ["vi", "en"] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Lang = "vi";

export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}
