// Catalog of notice, announcement and opt-out texts (Fluent), separate from the chat's own
// but formatted the same way (same form of address, same fallback to Vietnamese).
import type { FluentBundle } from "@fluent/bundle";
import { format, loadCatalog } from "../../i18n/index.ts";
import type { Lang } from "../../kernel/lang.ts";

const here = new URL("./", import.meta.url);
const bundles: Record<Lang, FluentBundle> = { vi: loadCatalog(here, "vi"), en: loadCatalog(here, "en") };

/** A citizen's language from Citizen.language / ChannelAccount.language (Vietnamese by default). */
export function noticeLang(...candidates: (string | null | undefined)[]): Lang {
  for (const c of candidates) if (c === "vi" || c === "en") return c;
  return "vi";
}

/** Message `id` in `lang` (Vietnamese when missing; the id itself when unknown, so gaps show). */
export function nt(lang: Lang, id: string, args?: Record<string, string | number>): string {
  return format(bundles, lang, id, args);
}

export function noticeMessageIds(lang: Lang): string[] {
  return [...bundles[lang]._messages.keys()].sort();
}
