// Where notices about the citizen's dossiers go: offered to a citizen with chats on both
// Telegram and Zalo; stored as one channel or "all" (every linked chat account).
import { t } from "../../i18n/index.ts";
import { CHANNEL_LABEL, type NoticeChannel } from "../../kernel/channels.ts";
import { encodeButton, type NoticeChoice } from "../buttons.ts";
import { say, withMenu, type Handler, type Turn } from "../turn.ts";
import type { Button, Reply } from "../types.ts";

/** Answer when there is nothing to choose: no linked chat, the try page, or one channel only. */
function noChoice(turn: Turn, channels: NoticeChannel[]): Reply {
  const [only] = channels;
  if (!only) return withMenu(turn, turn.account.citizenId !== null && turn.channel === "web" ? "notices-web" : "notices-none");
  const other = only === "telegram" ? "zalo" : "telegram";
  return withMenu(turn, "notices-single", { channel: CHANNEL_LABEL[only], other: CHANNEL_LABEL[other] });
}

async function choice(turn: Turn): Promise<Reply> {
  const citizenId = turn.account.citizenId;
  if (citizenId === null) return noChoice(turn, []);
  const channels = await turn.store.noticeChannels(citizenId);
  if (channels.length < 2) return noChoice(turn, channels);
  const chosen = await turn.store.noticeChoice(citizenId);
  const current = chosen ? CHANNEL_LABEL[chosen] : "all";
  const button = (id: string, c: NoticeChoice): Button[] => [{ label: t(turn.lang, id), data: encodeButton({ kind: "notices", choice: c }) }];
  return say(turn, "notices-choose", { current }, [button("notices-telegram", "telegram"), button("notices-zalo", "zalo"), button("notices-all", "all")]);
}

async function set(turn: Turn, c: NoticeChoice): Promise<Reply> {
  const citizenId = turn.account.citizenId;
  if (citizenId === null) return noChoice(turn, []);
  const channels = await turn.store.noticeChannels(citizenId);
  if (channels.length < 2) return noChoice(turn, channels);
  await turn.store.setNoticeChoice(citizenId, c === "all" ? null : c);
  if (c === "all") return withMenu(turn, "notices-set-all");
  const other = c === "telegram" ? "zalo" : "telegram";
  return withMenu(turn, "notices-set-one", { channel: CHANNEL_LABEL[c], other: CHANNEL_LABEL[other] });
}

export const notices: Handler = async (turn, next) => {
  const intent = turn.understanding.intent;
  if (intent.kind !== "notices") return next();
  return [intent.choice ? await set(turn, intent.choice) : await choice(turn)];
};
