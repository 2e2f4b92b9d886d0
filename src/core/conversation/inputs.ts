// Every input becomes one intent before any handler runs: free text through the
// understanding layer, buttons through the registry, commands and shared contacts directly.
// Non-text inputs are unambiguous, so they are acted on at full confidence.
import { decodeButton, type MenuItem } from "./buttons.ts";
import { codeIn } from "./codes.ts";
import type { Inbound } from "./types.ts";
import type { Intent } from "./understanding/intent.ts";
import type { IntentLabel } from "./understanding/labels.ts";
import { fromLabelAlone, type Understanding } from "./understanding/understand.ts";
import { isLang } from "../kernel/lang.ts";

/** Longest text looked at (Telegram's message limit); the rest cannot change the intent. */
export const MAX_TEXT = 4096;

export interface Understander {
  understand(text: string): Understanding;
}

function sure(intent: Intent): Understanding {
  return { intent, label: null, confidence: 1, band: "act", alternatives: [], lang: null, normalized: null };
}

const MENU_INTENTS: Record<MenuItem, Intent> = {
  menu: { kind: "menu" },
  status: { kind: "status", codes: [] },
  link: { kind: "link", codes: [] },
  help: { kind: "staff" },
  unlink: { kind: "unlink", codes: [] },
  delete: { kind: "delete" },
  language: { kind: "language", lang: null },
  notices: { kind: "notices", choice: null },
};

function fromButton(data: string): Intent {
  const action = decodeButton(data);
  if (!action) return { kind: "invalid_button" };
  switch (action.kind) {
    case "status":
      return { kind: "status", codes: [], dossierId: action.dossierId };
    case "unlink":
      return { kind: "unlink", codes: [], dossierId: action.dossierId };
    case "consent":
      return action.accept ? { kind: "yes", to: "consent" } : { kind: "no", to: "consent" };
    case "delete":
      return action.confirm ? { kind: "yes", to: "delete" } : { kind: "no", to: "delete" };
    case "language":
      return { kind: "language", lang: action.lang };
    case "menu":
      return MENU_INTENTS[action.item];
    case "notices":
      return { kind: "notices", choice: action.choice };
    case "intent":
      return fromLabelAlone(action.label as IntentLabel);
    case "announcements":
      return action.stop ? { kind: "stop" } : { kind: "resume" };
    case "survey":
      return { kind: "survey", data: action.data };
  }
}

function codes(args: string): string[] {
  const code = args ? codeIn(args) : null;
  return code ? [code] : [];
}

export function understandInput(input: Inbound, understander: Understander): Understanding {
  switch (input.kind) {
    case "text":
      return understander.understand(input.text.slice(0, MAX_TEXT));
    case "button":
      return sure(fromButton(input.data));
    case "contact":
      return sure({ kind: "contact", phone: input.phone, own: input.own });
    case "photo":
      return sure({ kind: "photo", payload: input.payload });
    case "command": {
      const args = input.args.slice(0, 200).trim();
      switch (input.command) {
        case "start":
          return sure({ kind: "start", payload: args || null });
        case "help":
          return sure({ kind: "help" });
        case "menu":
          return sure({ kind: "menu" });
        case "status":
          return sure({ kind: "status", codes: codes(args) });
        case "link": {
          if (args && !codeIn(args)) return sure({ kind: "bad_code", reason: "unrecognised" });
          return sure({ kind: "link", codes: codes(args) });
        }
        case "unlink":
          return sure({ kind: "unlink", codes: codes(args) });
        case "delete":
          return sure({ kind: "delete" });
        case "language": {
          const lower = args.toLowerCase();
          if (isLang(lower)) return sure({ kind: "language", lang: lower });
          if (!args) return sure({ kind: "language", lang: null });
          const u = understander.understand(args);
          return sure({ kind: "language", lang: u.intent.kind === "language" ? u.intent.lang : null });
        }
      }
    }
  }
}
