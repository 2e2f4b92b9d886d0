// The few lines the Telegram adapter says by itself (everything a citizen reads about their
// dossiers comes from the conversation core's catalog).
const CATALOG = {
  vi: {
    privateOnly: (bot: string) =>
      `Để bảo vệ thông tin cá nhân, tra cứu hồ sơ chỉ thực hiện trong tin nhắn riêng với bot. Mời bạn nhắn riêng: https://t.me/${bot}`,
    privateOnlyShort: "Vui lòng nhắn riêng với bot để tra cứu hồ sơ.",
  },
  en: {
    privateOnly: (bot: string) => `To protect personal data, dossier look-ups only work in a private chat with the bot: https://t.me/${bot}`,
    privateOnlyShort: "Please message the bot privately to look up dossiers.",
  },
} as const;

export type AdapterLanguage = keyof typeof CATALOG;

export function adapterMessages(languageCode: string | undefined): (typeof CATALOG)[AdapterLanguage] {
  return languageCode?.toLowerCase().startsWith("en") ? CATALOG.en : CATALOG.vi;
}
