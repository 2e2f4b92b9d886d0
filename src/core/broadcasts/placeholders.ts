// Announcement text with per-dossier placeholders: {code}, {procedure}, {unit}, {appointment}.
import { formatLocal } from "../calendar.ts";
import { AppError } from "../errors.ts";

export const PLACEHOLDERS = ["code", "procedure", "unit", "appointment"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const TOKEN = /\{([^{}]*)\}/g;

/** 422 when the text uses a placeholder we cannot fill (a typo would reach every citizen). */
export function checkPlaceholders(text: string): void {
  const unknown = [...new Set([...text.matchAll(TOKEN)].map((m) => m[1] ?? "").filter((p) => !(PLACEHOLDERS as readonly string[]).includes(p)))];
  if (unknown.length)
    throw new AppError("validation_failed", `Unknown placeholder${unknown.length > 1 ? "s" : ""} ${unknown.map((p) => `{${p}}`).join(", ")}; allowed: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`, {
      text: { unknownPlaceholders: unknown, allowed: PLACEHOLDERS },
    });
}

export interface PlaceholderValues {
  code: string;
  procedure: string;
  unit: string;
  appointmentAt: Date;
}

export function fillPlaceholders(text: string, v: PlaceholderValues): string {
  return text.replace(TOKEN, (whole, name: string) => {
    switch (name) {
      case "code":
        return v.code;
      case "procedure":
        return v.procedure;
      case "unit":
        return v.unit;
      case "appointment":
        return formatLocal(v.appointmentAt, false);
      default:
        return whole;
    }
  });
}
