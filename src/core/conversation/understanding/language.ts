// Which language a message is written in, so that a citizen who has not chosen a language
// is answered in the one they wrote in. Vietnamese letters decide at once; otherwise common
// English words are weighed against common Vietnamese words typed without diacritics.
// Words both languages use in chat ("ok", "hi", "menu", "zalo") count for neither.
import type { Lang } from "../../kernel/lang.ts";
import { foldText } from "./syllable.ts";

const VIETNAMESE_LETTERS = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i;

const ENGLISH = new Set(
  `a about after again all already am an and any anyone anything application applications appointment approved are as ask at available back be been before being
  both but by call can cannot cant certificate change channel check checking collect collected come contact could customer data date day days deadline delay delayed
  delete did do does document documents dont done dossier dossiers each email english erase even every expected file filed filing find finish finished first for
  forget from get give go going good got had has have hello help her here hey him his hold how i if im in info information into is it its just keep know language late
  let like link linked long look made make many may me message messages minute more morning most much my need needed next no not notice notices notification
  notifications now of office officer on one only or other our out over own paper papers pending person phone please pls plz process processed processing progress
  receive received register registration remove reply request result results right same say see send sent should since so some someone speak speaking staff start
  status still stop subscribe such sure take talk tell than thank thanks that the their them then there these they thing think this those through time to today
  too track tracking unlink unsubscribe until up update updates us use via vietnamese wait waiting want was way we week weeks well were what when where whether which
  while who why will with without work working would yes yet you your yours`.split(/\s+/),
);

const VIETNAMESE = new Set(
  `a ad ah ak anh ba bac bao bay be bi biet bo bh bgio bn bo bu but ca cac cai can cam chao chi cho chua chung co con cong cua cuu da dang dao dau day de den di
  dia dien dinh do doi dong du duoc dc dk e em gi gio giay giup gui ha hai han hay het hien ho hoi hom hon hs hok hong hu huy it j ket khi khong kia kiem kq ko kt
  la lai lam lau len lien lo luc ma mai may minh mk mik moi mot muon nam nao nay neu ngay nguoi nha nhan nhanh nhe nhieu nho nhung noi nua o oi on phai phong phuong
  qua quan r ra rang roi sang sao so sau se sdt sinh so sua ta tai tam tan tat thang the thi thoi thong thu tien tin tinh toi tra trang tre truoc tu tui tuan uh
  ubnd v van vang vay ve viec viet voi vs xa xem xin xl xoa xong z`.split(/\s+/),
);

/** Words equally at home in both (or names): no evidence either way. */
const NEUTRAL = new Set(["a", "ok", "oke", "okay", "hi", "hello", "alo", "bye", "menu", "zalo", "telegram", "tele", "admin", "ad", "id", "sms", "online", "app", "code", "email", "help", "stop", "start", "yes", "no", "thanks", "thank", "to", "do", "me", "on", "an", "in", "so", "hey"]);

export interface LanguageGuess {
  lang: Lang | null;
  /** Evidence words found (English, Vietnamese). */
  english: number;
  vietnamese: number;
}

/** The language of a message, or null when it gives no evidence (a code, "ok", an emoji). */
export function detectLanguage(text: string): LanguageGuess {
  // Words written with Vietnamese letters count for Vietnamese; an English sentence may still
  // hold a Vietnamese name for a thing ("any update on my hồ sơ?").
  const withDiacritics = VIETNAMESE_LETTERS.test(text) ? text.split(/[^\p{L}\p{M}]+/u).filter((w) => VIETNAMESE_LETTERS.test(w)).length : 0;
  let english = 0;
  let vietnamese = withDiacritics;
  let neutralEnglish = 0;
  for (const word of foldText(text).split(" ")) {
    // Single letters ("r", "u", "e", "a") are chat shorthand in both languages.
    if (!word || word.length === 1 || /\d/.test(word)) continue;
    if (NEUTRAL.has(word)) {
      if (ENGLISH.has(word) || ["thanks", "thank", "hello", "hi", "hey", "bye", "yes", "help", "stop", "start", "okay"].includes(word)) neutralEnglish++;
      continue;
    }
    const en = ENGLISH.has(word);
    const vi = VIETNAMESE.has(word) && withDiacritics === 0;
    if (en && !vi) english++;
    else if (vi && !en) vietnamese++;
  }
  // Several English words with nothing Vietnamese beside them ("thanks a lot", "yes please").
  if (english === 0 && vietnamese === 0 && neutralEnglish >= 2) return { lang: "en", english: neutralEnglish, vietnamese };
  if (withDiacritics > 0) return { lang: english > withDiacritics ? "en" : "vi", english, vietnamese };
  if (english > 0 && english >= 2 * vietnamese + (vietnamese > 0 ? 1 : 0)) return { lang: "en", english, vietnamese };
  if (vietnamese > 0 && vietnamese >= english) return { lang: "vi", english, vietnamese };
  return { lang: null, english, vietnamese };
}
