// Every string the /try page shows itself, in both languages of the bot. The bot's replies
// come translated from the server; the page follows the `lang` of the last reply.
export type Lang = "vi" | "en";

export const LABELS = {
  vi: {
    title: "Dùng thử bot tra cứu hồ sơ",
    heading: "Dùng thử bot",
    demo: "DỮ LIỆU MẪU",
    demoNote: "Các hồ sơ ở đây là dữ liệu minh hoạ, không phải hồ sơ thật.",
    codes: "Mã hồ sơ mẫu",
    codeTitle: "Bấm để gửi mã này",
    phoneNote: "Số điện thoại của người nộp mẫu:",
    share: "📱 Chia sẻ số điện thoại",
    status: "Hồ sơ của tôi",
    help: "Trợ giúp",
    reset: "Bắt đầu lại",
    resetTitle: "Xoá cuộc trò chuyện này và bắt đầu phiên mới",
    placeholder: "Nhập mã hồ sơ hoặc câu hỏi…",
    inputLabel: "Tin nhắn",
    send: "Gửi",
    typing: "Bot đang trả lời…",
    offline: "Không kết nối được máy chủ. Vui lòng thử lại.",
    error: "Lỗi",
    quick: "Gợi ý",
  },
  en: {
    title: "Try the dossier status bot",
    heading: "Try the bot",
    demo: "DEMO DATA",
    demoNote: "The dossiers here are made up for the demonstration, not real ones.",
    codes: "Demo dossier codes",
    codeTitle: "Tap to send this code",
    phoneNote: "The demo applicant's phone number:",
    share: "📱 Share my phone number",
    status: "My dossiers",
    help: "Help",
    reset: "Start over",
    resetTitle: "Clear this conversation and start a new session",
    placeholder: "Type a dossier code or a question…",
    inputLabel: "Message",
    send: "Send",
    typing: "The bot is answering…",
    offline: "Could not reach the server. Please try again.",
    error: "Error",
    quick: "Suggestions",
  },
} satisfies Record<Lang, Record<string, string>>;

export type LabelKey = keyof (typeof LABELS)["vi"];
