// The conversation is written once, channel-neutral: adapters turn platform updates into an
// InboundMessage and render the Reply data they get back (Telegram inline keyboards, Zalo
// query buttons, request-contact / request-user-info).

import type { ChatChannel } from "../kernel/channels.ts";

/** @see ChatChannel */
export type ChannelName = ChatChannel;

export const COMMANDS = ["start", "help", "status", "link", "unlink", "language", "delete", "menu"] as const;
export type Command = (typeof COMMANDS)[number];

const COMMAND_NAMES: Record<string, Command> = {
  start: "start",
  help: "help",
  status: "status",
  link: "link",
  unlink: "unlink",
  language: "language",
  lang: "language",
  delete: "delete",
  menu: "menu",
};

/** A slash-command name as typed on any channel ("/Lang" → "language"), or undefined. */
export function commandFromName(name: string): Command | undefined {
  return Object.hasOwn(COMMAND_NAMES, name.toLowerCase()) ? COMMAND_NAMES[name.toLowerCase()] : undefined;
}

export type Inbound =
  /** Free text typed by the citizen. */
  | { kind: "text"; text: string }
  /** A button press; `data` is the Button.data that was sent (≤ 64 bytes). */
  | { kind: "button"; data: string }
  /**
   * A phone number shared through the platform's own mechanism. `own` is the adapter's
   * verdict that it is the sender's own number (Telegram: contact.user_id === from.id;
   * Zalo: user_submit_info from that user). Only own numbers prove ownership.
   */
  | { kind: "contact"; phone: string; own: boolean }
  /** A slash command or its channel equivalent; `args` is the rest of the line. */
  | { kind: "command"; command: Command; args: string }
  /**
   * A photo (of a receipt slip), read by the adapter: `payload` is the slip token or the
   * canonical dossier code found in its QR or barcode (src/core/slip/photo.ts,
   * slipPayloadFromScan); null when nothing readable was found.
   */
  | { kind: "photo"; payload: string | null };

export interface InboundMessage {
  channel: ChannelName;
  /** Platform user id as a string (Zalo ids exceed 2^53). */
  userId: string;
  displayName?: string;
  /** Language hint from the platform (e.g. Telegram language_code). */
  languageHint?: string;
  input: Inbound;
  at?: Date;
}

export interface Button {
  label: string;
  /** Opaque to adapters, at most 64 bytes (Telegram callback_data limit). */
  data: string;
}

export type Reply =
  | { kind: "text"; text: string; buttons?: Button[][] }
  /** Ask the citizen to share their phone number (Telegram request_contact; Zalo request_user_info). */
  | { kind: "request_phone"; text: string; buttonLabel: string };
