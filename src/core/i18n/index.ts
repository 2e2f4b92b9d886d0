// Message catalog of the citizen chat: Fluent files per language, loaded once.
// Logic never holds user-visible text; it asks for a message id with arguments.
//
// The form of address ("Ông/Bà" as public-service writing uses, or "bạn") is one setting for
// the whole product — chat, notices, survey, apology. Messages write { $you } / { $You }
// (the capitalised form starts a sentence); t() fills both in.
import { readFileSync } from "node:fs";
import { FluentBundle, FluentResource } from "@fluent/bundle";
import { DEFAULT_LANGUAGE, isLang, LANGUAGES, type Lang } from "../kernel/lang.ts";

export { DEFAULT_LANGUAGE, isLang, LANGUAGES, type Lang };

export type MessageArgs = Record<string, string | number>;

export const FORMS_OF_ADDRESS = ["ongba", "ban"] as const;
export type FormOfAddress = (typeof FORMS_OF_ADDRESS)[number];

const PRONOUNS: Record<FormOfAddress, Record<Lang, { you: string; You: string }>> = {
  ongba: { vi: { you: "Ông/Bà", You: "Ông/Bà" }, en: { you: "you", You: "You" } },
  ban: { vi: { you: "bạn", You: "Bạn" }, en: { you: "you", You: "You" } },
};

let form: FormOfAddress = "ongba";

/** Sets the form of address once at start-up (FORM_OF_ADDRESS). */
export function setFormOfAddress(value: FormOfAddress): void {
  form = value;
}

export function formOfAddress(): FormOfAddress {
  return form;
}

/** The pronoun arguments every catalog message may use. */
export function pronouns(lang: Lang): { you: string; You: string } {
  return PRONOUNS[form][lang];
}

const LOCALES: Record<Lang, string> = { vi: "vi-VN", en: "en-GB" };

/** Loads a Fluent catalog next to `base` (`<dir>/<lang>.ftl`). */
export function loadCatalog(base: URL, lang: Lang): FluentBundle {
  const source = readFileSync(new URL(`./${lang}.ftl`, base), "utf8");
  // Chat clients render FSI/PDI isolation marks as junk characters.
  const bundle = new FluentBundle(LOCALES[lang], { useIsolating: false });
  const errors = bundle.addResource(new FluentResource(source));
  if (errors.length) throw new Error(`${base.pathname}${lang}.ftl: ${errors.map((e) => e.message).join("; ")}`);
  return bundle;
}

/** A message in `lang` from a pair of catalogs, Vietnamese when a translation is missing. */
export function format(bundles: Record<Lang, FluentBundle>, lang: Lang, id: string, args?: MessageArgs): string {
  for (const bundle of lang === DEFAULT_LANGUAGE ? [bundles[lang]] : [bundles[lang], bundles[DEFAULT_LANGUAGE]]) {
    const message = bundle.getMessage(id);
    if (message?.value) {
      // With an errors array Fluent reports a missing argument instead of throwing, and
      // renders it as {$name}: a visible gap is better than a chat that goes silent.
      const errors: Error[] = [];
      return bundle.formatPattern(message.value, { ...pronouns(bundle === bundles[lang] ? lang : DEFAULT_LANGUAGE), ...args }, errors);
    }
  }
  return id;
}

const here = new URL("./", import.meta.url);
const bundles: Record<Lang, FluentBundle> = { vi: loadCatalog(here, "vi"), en: loadCatalog(here, "en") };

/**
 * The message `id` in `lang`, falling back to Vietnamese when a translation is missing.
 * An unknown id yields the id itself so that a catalog gap shows up instead of silence.
 */
export function t(lang: Lang, id: string, args?: MessageArgs): string {
  return format(bundles, lang, id, args);
}

/** Message ids of one language (tests compare the catalogs). */
export function messageIds(lang: Lang): string[] {
  return [...bundles[lang]._messages.keys()].sort();
}

/** Raw catalog source (tests check it parses completely). */
export function catalogSource(lang: Lang): string {
  return readFileSync(new URL(`./${lang}.ftl`, import.meta.url), "utf8");
}
