// The Telegram adapter: grammY turns updates into channel-neutral InboundMessages for the
// conversation core and renders its Reply data back. Private chats only.
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, type Context } from "grammy";
import type { Message, UserFromGetMe } from "grammy/types";
import { commandFromName, type Inbound, type InboundMessage, type Reply } from "../../core/conversation/types.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Logger } from "../../logger.ts";
import { adapterMessages } from "./messages.ts";
import { photoFileOf, type TelegramPhotoReader } from "./photo.ts";
import { sendReplies } from "./render.ts";

/** What the adapter needs from the conversation core (ConversationService satisfies it). */
export interface ConversationPort {
  handle(msg: InboundMessage): Promise<Reply[]>;
}

export interface TelegramBotDeps {
  token: string;
  apiRoot: string;
  conversation: ConversationPort;
  prisma: PrismaClient;
  logger: Logger;
  /** Known bot identity (skips getMe; tests and benchmarks). */
  botInfo?: UserFromGetMe;
  /** Reads photos of receipt slips; without it a photo gets the menu. */
  photos?: TelegramPhotoReader;
  /** auto-retry limits; a webhook request waits for them, so keep them short. */
  retry?: { maxRetryAttempts?: number; maxDelaySeconds?: number };
}


export type TelegramBot = Bot<Context>;

export function createTelegramBot(deps: TelegramBotDeps): TelegramBot {
  const bot = new Bot<Context>(deps.token, {
    client: { apiRoot: deps.apiRoot },
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
  });
  // 429 → wait retry_after and resend; 5xx / network → back off and resend. Bounded, because
  // the webhook request (and Telegram's queue for this bot) waits meanwhile.
  bot.api.config.use(
    autoRetry({ maxRetryAttempts: deps.retry?.maxRetryAttempts ?? 3, maxDelaySeconds: deps.retry?.maxDelaySeconds ?? 30, rethrowHttpErrors: false }),
  );

  async function converse(ctx: Context, chatId: number, input: Inbound, at: number | undefined): Promise<void> {
    const from = ctx.from!;
    const log = deps.logger.child({ channel: "telegram", updateId: ctx.update.update_id });
    const userId = String(from.id);
    const msg: InboundMessage = {
      channel: "telegram",
      userId,
      displayName: [from.first_name, from.last_name].filter(Boolean).join(" ") || undefined,
      // No languageHint: many Vietnamese citizens run Telegram in English, and the bot
      // answers in Vietnamese unless they ask for English (/language).
      input,
      ...(at ? { at: new Date(at * 1000) } : {}),
    };
    // The conversation clears blockedAt when the citizen writes again (one query fewer here).
    const replies = await deps.conversation.handle(msg);
    const outcome = await sendReplies(ctx.api, chatId, replies, { removeKeyboard: input.kind === "contact", logger: log });
    if (outcome.blocked) {
      log.info("bot blocked by the user; replies dropped");
      await deps.prisma.channelAccount.updateMany({ where: { channel: "telegram", platformUserId: userId }, data: { blockedAt: new Date() } });
    }
  }

  // Every callback query is answered, whatever happens while handling it (the client shows
  // a spinner until then). An old query replayed from the inbox cannot be answered any more;
  // that must not fail the update.
  bot.on("callback_query", async (ctx) => {
    const q = ctx.callbackQuery;
    const chat = q.message?.chat;
    let notice: string | undefined;
    try {
      if (!chat || chat.type !== "private") notice = adapterMessages(q.from.language_code).privateOnlyShort;
      else if (q.data !== undefined) await converse(ctx, chat.id, { kind: "button", data: q.data }, undefined);
    } finally {
      await ctx.answerCallbackQuery(notice ? { text: notice, show_alert: true } : undefined).catch((err: unknown) => {
        deps.logger.warn({ err, updateId: ctx.update.update_id }, "answerCallbackQuery failed");
      });
    }
  });

  bot.on("message", async (ctx) => {
    const m = ctx.message;
    if (!m.from || m.from.is_bot) return;
    if (m.chat.type !== "private") {
      // Groups: dossier data never goes there. Answer only when addressed (a command or a
      // mention); stay silent otherwise.
      if (isAddressed(m, ctx.me.username)) {
        await ctx.api.sendMessage(m.chat.id, adapterMessages(m.from.language_code).privateOnly(ctx.me.username), {
          reply_parameters: { message_id: m.message_id, allow_sending_without_reply: true },
        });
      }
      return;
    }
    // A photo (of the receipt slip) is read before the conversation sees it.
    const photo = deps.photos ? photoFileOf(m) : null;
    const input = photo && deps.photos ? await deps.photos.read(ctx.api, photo) : inboundFromMessage(m, ctx.me.username);
    await converse(ctx, m.chat.id, input, m.date);
  });

  return bot;
}

/** A private-chat message → conversation input. Anything unusable asks for the menu. */
export function inboundFromMessage(m: Message, botUsername: string): Inbound {
  if (m.contact) {
    // Only the sender's own contact proves a phone number (a forwarded card does not).
    return { kind: "contact", phone: m.contact.phone_number, own: m.contact.user_id !== undefined && m.contact.user_id === m.from?.id };
  }
  if (typeof m.text === "string") {
    const cmd = parseCommand(m, botUsername);
    if (cmd) return cmd;
    return { kind: "text", text: m.text };
  }
  if (typeof m.caption === "string" && m.caption.trim()) return { kind: "text", text: m.caption };
  return { kind: "command", command: "menu", args: "" };
}

function parseCommand(m: Message, botUsername: string): Inbound | undefined {
  const e = m.entities?.[0];
  const text = m.text ?? "";
  if (!e || e.type !== "bot_command" || e.offset !== 0) return undefined;
  const [name, mention] = text.slice(1, e.length).split("@") as [string, string | undefined];
  if (mention && mention.toLowerCase() !== botUsername.toLowerCase()) return { kind: "command", command: "menu", args: "" };
  const args = text.slice(e.length).trim();
  const command = commandFromName(name);
  return command ? { kind: "command", command, args } : { kind: "command", command: "menu", args: "" };
}

function isAddressed(m: Message, botUsername: string): boolean {
  const text = m.text ?? m.caption ?? "";
  const entities = m.entities ?? m.caption_entities ?? [];
  const mention = `@${botUsername}`.toLowerCase();
  return entities.some((e) => {
    const part = text.slice(e.offset, e.offset + e.length).toLowerCase();
    if (e.type === "bot_command") return !part.includes("@") || part.endsWith(mention);
    return e.type === "mention" && part === mention;
  });
}
