// Channel-neutral replies → Telegram sendMessage calls. Inline keyboards from Button[][];
// a phone request becomes a one-time reply keyboard with a request_contact button.
import { splitText as splitLongText } from "../text.ts";
import { GrammyError, type Api } from "grammy";
import type { InlineKeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, InlineKeyboardMarkup } from "grammy/types";
import type { Logger } from "../../logger.ts";
import type { Button, Reply } from "../../core/conversation/types.ts";

/** Telegram's limits. */
export const MAX_TEXT_LENGTH = 4096;
export const MAX_CALLBACK_DATA_BYTES = 64;

export interface OutgoingMessage {
  text: string;
  reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;
}

export interface RenderOptions {
  /**
   * A contact has just been shared: take the request-contact keyboard away. It goes on the
   * first message without inline buttons (a message carries one markup only); when every
   * reply has inline buttons the one-time keyboard has already collapsed on the client and
   * the buttons matter more.
   */
  removeKeyboard?: boolean;
  logger?: Logger;
}

export function renderReplies(replies: Reply[], opts: RenderOptions = {}): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (const reply of replies) {
    if (reply.kind === "request_phone") {
      for (const text of splitText(reply.text).slice(0, -1)) out.push({ text });
      out.push({
        text: splitText(reply.text).at(-1)!,
        reply_markup: {
          keyboard: [[{ text: reply.buttonLabel, request_contact: true }]],
          one_time_keyboard: true,
          resize_keyboard: true,
        },
      });
      continue;
    }
    const chunks = splitText(reply.text);
    const keyboard = inlineKeyboard(reply.buttons ?? [], opts.logger);
    chunks.forEach((text, i) => {
      const last = i === chunks.length - 1;
      out.push(last && keyboard.length ? { text, reply_markup: { inline_keyboard: keyboard } } : { text });
    });
  }
  if (opts.removeKeyboard) {
    const plain = out.find((m) => !m.reply_markup);
    if (plain) plain.reply_markup = { remove_keyboard: true };
  }
  return out;
}

function inlineKeyboard(rows: Button[][], logger?: Logger): InlineKeyboardButton[][] {
  const keyboard: InlineKeyboardButton[][] = [];
  for (const row of rows) {
    const buttons: InlineKeyboardButton[] = [];
    for (const b of row) {
      const bytes = Buffer.byteLength(b.data, "utf8");
      if (bytes === 0 || bytes > MAX_CALLBACK_DATA_BYTES) {
        // Telegram would refuse the whole message; drop the one button and say so loudly.
        logger?.error({ label: b.label, bytes }, "button data must be 1–64 bytes; button dropped");
        continue;
      }
      buttons.push({ text: b.label, callback_data: b.data });
    }
    if (buttons.length) keyboard.push(buttons);
  }
  return keyboard;
}

/** No message exceeds Telegram's 4096 characters. */
export function splitText(text: string, max = MAX_TEXT_LENGTH): string[] {
  return splitLongText(text, max);
}

export type SendOutcome = { sent: number; blocked: boolean };

/**
 * Send the replies in order. "Blocked by the user" (403) is permanent for that chat: it is
 * reported, not thrown, because retrying the update cannot help. Any other refusal throws,
 * so the update is recorded as failed and retried later.
 */
export async function sendReplies(api: Api, chatId: number, replies: Reply[], opts: RenderOptions = {}): Promise<SendOutcome> {
  let sent = 0;
  for (const m of renderReplies(replies, opts)) {
    try {
      await api.sendMessage(chatId, m.text, m.reply_markup ? { reply_markup: m.reply_markup } : {});
      sent++;
    } catch (err) {
      if (isBlocked(err)) return { sent, blocked: true };
      throw err;
    }
  }
  return { sent, blocked: false };
}

export function isBlocked(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 403;
}
