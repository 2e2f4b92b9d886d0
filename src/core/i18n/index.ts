// Message catalog of the citizen chat: Fluent files per language, loaded once.
// Logic never holds user-visible text; it asks for a message id with arguments.
import { readFileSync } from "node:fs";
import { FluentBundle, FluentResource } from "@fluent/bundle";

export const LANGUAGES = ["vi", "en"] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Lang = "vi";

export type MessageArgs = Record<string, string | number>;

export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

const LOCALES: Record<Lang, string> = { vi: "vi-VN", en: "en-GB" };

function loadBundle(lang: Lang): FluentBundle {
  const source = readFileSync(new URL(`./${lang}.ftl`, import.meta.url), "utf8");
  // Chat clients render FSI/PDI isolation marks as junk characters.
  const bundle = new FluentBundle(LOCALES[lang], { useIsolating: false });
  const errors = bundle.addResource(new FluentResource(source));
  if (errors.length) throw new Error(`i18n/${lang}.ftl: ${errors.map((e) => e.message).join("; ")}`);
  return bundle;
}

const bundles: Record<Lang, FluentBundle> = { vi: loadBundle("vi"), en: loadBundle("en") };

/**
 * The message `id` in `lang`, falling back to Vietnamese when a translation is missing.
 * An unknown id yields the id itself so that a catalog gap shows up instead of silence.
 */
export function t(lang: Lang, id: string, args?: MessageArgs): string {
  for (const bundle of lang === DEFAULT_LANGUAGE ? [bundles[lang]] : [bundles[lang], bundles[DEFAULT_LANGUAGE]]) {
    const message = bundle.getMessage(id);
    if (message?.value) {
      // With an errors array Fluent reports a missing argument instead of throwing, and
      // renders it as {$name}: a visible gap is better than a chat that goes silent.
      const errors: Error[] = [];
      return bundle.formatPattern(message.value, args ?? null, errors);
    }
  }
  return id;
}

/** Message ids of one language (tests compare the catalogs). */
export function messageIds(lang: Lang): string[] {
  return [...bundles[lang]._messages.keys()].sort();
}

/** Raw catalog source (tests check it parses completely). */
export function catalogSource(lang: Lang): string {
  return readFileSync(new URL(`./${lang}.ftl`, import.meta.url), "utf8");
}
