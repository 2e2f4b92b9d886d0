// Catalog of notice, announcement and opt-out texts (Fluent), separate from the chat's own.
import { readFileSync } from "node:fs";
import { FluentBundle, FluentResource } from "@fluent/bundle";

export type NoticeLang = "vi" | "en";
const LOCALES: Record<NoticeLang, string> = { vi: "vi-VN", en: "en-GB" };

function load(lang: NoticeLang): FluentBundle {
  const source = readFileSync(new URL(`./${lang}.ftl`, import.meta.url), "utf8");
  // Chat clients show Unicode isolation marks as junk.
  const bundle = new FluentBundle(LOCALES[lang], { useIsolating: false });
  const errors = bundle.addResource(new FluentResource(source));
  if (errors.length) throw new Error(`notices/i18n/${lang}.ftl: ${errors.map((e) => e.message).join("; ")}`);
  return bundle;
}

const bundles: Record<NoticeLang, FluentBundle> = { vi: load("vi"), en: load("en") };

/** A citizen's language from Citizen.language / ChannelAccount.language (Vietnamese by default). */
export function noticeLang(...candidates: (string | null | undefined)[]): NoticeLang {
  for (const c of candidates) if (c === "vi" || c === "en") return c;
  return "vi";
}

/** Message `id` in `lang` (Vietnamese when missing; the id itself when unknown, so gaps show). */
export function nt(lang: NoticeLang, id: string, args?: Record<string, string | number>): string {
  for (const bundle of lang === "vi" ? [bundles.vi] : [bundles[lang], bundles.vi]) {
    const m = bundle.getMessage(id);
    if (m?.value) return bundle.formatPattern(m.value, args ?? null, []);
  }
  return id;
}

export function noticeMessageIds(lang: NoticeLang): string[] {
  return [...bundles[lang]._messages.keys()].sort();
}
