// The chat channels: one list each, so that adding a channel is one edit here plus its adapter.

/** Every channel a citizen can chat on; "web" is the browser try-the-bot page (demo data only). */
export const CHAT_CHANNELS = ["telegram", "zalo", "web"] as const;
export type ChatChannel = (typeof CHAT_CHANNELS)[number];

/** Channels that carry notices and announcements to a real chat account, in button order. */
export const NOTICE_CHANNELS = ["telegram", "zalo"] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

export const CHANNEL_LABEL: Record<NoticeChannel, string> = { telegram: "Telegram", zalo: "Zalo" };

export function isNoticeChannel(value: unknown): value is NoticeChannel {
  return typeof value === "string" && (NOTICE_CHANNELS as readonly string[]).includes(value);
}
