// Dossier codes as citizens give them to the chat.
import { extractDossierCode, normalizeDossierCode } from "../dossier-code.ts";

/** A dossier code given as the whole argument (sloppy typing allowed) or inside it. */
export function codeIn(text: string): string | null {
  const whole = normalizeDossierCode(text);
  return whole.ok ? whole.code : extractDossierCode(text);
}
