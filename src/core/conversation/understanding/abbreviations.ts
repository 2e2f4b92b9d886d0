// The chat-abbreviation and teencode dictionary: what citizens type → the words they mean.
// Applied to single tokens after Telex/VNI decoding, before classification, so that
// "hs e xl tới đâu r ad" and "hồ sơ em xử lý tới đâu rồi admin" look alike to the model.
//
// Entries are documented by group. A key written without diacritics matches only a token
// typed without diacritics; a key with diacritics matches only that spelling. Ambiguous
// short keys are listed only where one meaning dominates in citizens' chat about dossiers
// ("xl" is "xử lý" far more often than "xin lỗi" there; "k" is "không").
import { canonicalWord } from "./syllable.ts";

type Entry = readonly [keys: readonly string[], meaning: string];

/** Vietnamese chat: abbreviations, teencode, spelling variants. */
const VIETNAMESE: readonly Entry[] = [
  // — the domain —
  [["hs", "hso", "hsơ", "hoso"], "hồ sơ"],
  [["kq", "kqua", "kếtquả"], "kết quả"],
  [["kt", "ktra", "ktr", "kiemtra"], "kiểm tra"],
  [["xl", "xly"], "xử lý"],
  [["tthc"], "thủ tục hành chính"],
  [["ubnd", "ubnd.", "ub"], "ủy ban nhân dân"],
  [["tp", "tphố"], "thành phố"],
  [["cccd", "cc"], "căn cước công dân"],
  [["cmnd", "cmt"], "chứng minh nhân dân"],
  [["sđt", "sdt", "sdth", "sđth"], "số điện thoại"],
  [["đt", "dt", "đth"], "điện thoại"],
  [["tb", "thbao", "tbao"], "thông báo"],
  [["lk", "lket"], "liên kết"],
  [["dki", "đki", "dky", "đky"], "đăng ký"],
  [["ttin"], "thông tin"],
  [["tl", "trl"], "trả lời"],
  [["ad", "add", "adm", "admin"], "admin"],
  [["bpmc", "1cua", "1 cửa"], "bộ phận một cửa"],
  [["sdd", "sđ"], "sổ đỏ"],
  // — negation and questions —
  [["ko", "k", "kh", "khg", "kg", "hok", "hông", "hong", "hem", "khum", "hôk", "hk", "hổng", "khôg", "khog", "khong"], "không"],
  [["dc", "đc", "dk", "đk", "đươc", "dduoc"], "được"],
  [["j", "ji", "gj"], "gì"],
  [["z", "v", "dz", "dzậy", "zậy", "dzay", "zay", "vay"], "vậy"],
  [["r", "rùi", "roài", "ròi", "rầu", "rui"], "rồi"],
  [["bh", "bgio", "bjo", "bg", "bjờ", "bgiờ"], "bao giờ"],
  [["ntn"], "như thế nào"],
  [["bn", "bnh", "bnhiu", "bnhieu"], "bao nhiêu"],
  [["chưa", "chua", "chưaa"], "chưa"],
  // — people —
  [["mk", "mik", "mjk", "mjnh", "mìn", "mh"], "mình"],
  [["mn", "mng", "mnguoi"], "mọi người"],
  [["tui", "tớ", "t"], "tôi"],
  [["e"], "em"],
  [["a"], "anh"],
  [["c"], "chị"],
  [["ng", "ngừi", "ngta"], "người"],
  [["ck"], "chồng"],
  [["vk"], "vợ"],
  // — common words —
  [["vs", "vớii"], "với"],
  [["tks", "thks", "camon", "cámơn", "cmon", "cảmơn", "camơn", "cámon", "kamon"], "cảm ơn"],
  [["nhìu", "nhiu"], "nhiều"],
  [["wá", "qá", "wa", "qa"], "quá"],
  [["trc"], "trước"],
  [["ms"], "mới"],
  [["cx", "cg", "cũg"], "cũng"],
  [["lm"], "làm"],
  [["bít", "bik", "bjk", "bt"], "biết"],
  [["đag", "dag", "dg", "đg"], "đang"],
  [["thui", "thoai"], "thôi"],
  [["hnay", "hnai", "hn"], "hôm nay"],
  [["hqua", "hwa"], "hôm qua"],
  [["ngày mai", "mai"], "ngày mai"],
  [["oke", "okie", "okê", "oki", "okela", "okay", "oce", "okk", "okey", "okii", "okela", "okla"], "ok"],
  [["uh", "uk", "ừm", "um", "ờ", "uhm", "ừa", "uhh", "ừk", "ừ"], "ừ"],
  [["vg", "vâg", "vânggg"], "vâng"],
  [["gởi"], "gửi"],
  [["nhé", "nhe", "nhá", "nha", "nhaa"], "nhé"],
  [["ak", "ah", "à"], "à"],
  [["ạk", "ạ"], "ạ"],
  [["ib"], "nhắn tin"],
  // — regional words (only spelled with diacritics: without them they are other words) —
  [["mô"], "đâu"],
  [["răng"], "sao"],
  [["rứa"], "vậy"],
  [["chừng"], "khi"],
  [["bữa"], "hôm"],
];

/** English chat shorthand, applied to English messages only ("u" is not "anh" there). */
const ENGLISH: readonly Entry[] = [
  [["u"], "you"],
  [["r"], "are"],
  [["ur"], "your"],
  [["pls", "plz", "pl", "plss"], "please"],
  [["thx", "tks", "ty", "tnx", "thanx", "thnx"], "thanks"],
  [["msg", "msgs"], "message"],
  [["info"], "information"],
  [["appt"], "appointment"],
  [["bc", "coz", "cuz"], "because"],
  [["im"], "i am"],
  [["dont"], "do not"],
  [["cant"], "can not"],
  [["wanna"], "want to"],
];

function table(entries: readonly Entry[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [keys, meaning] of entries) {
    const words = meaning.split(" ").map(canonicalWord);
    for (const key of keys) {
      // A multi-word key ("1 cửa") cannot match one token; its single-token spellings do.
      if (!key.includes(" ")) map.set(canonicalWord(key), words);
    }
  }
  return map;
}

const VI_TABLE = table(VIETNAMESE);
const EN_TABLE = table(ENGLISH);

/** The canonical words a canonical token stands for, or null when it is no abbreviation. */
export function expandAbbreviation(token: string, lang: "vi" | "en"): string[] | null {
  return (lang === "en" ? EN_TABLE : VI_TABLE).get(token) ?? null;
}

/** Is the token a known abbreviation (either language)? Such tokens are never Telex-decoded. */
export function isAbbreviation(token: string): boolean {
  return VI_TABLE.has(token) || EN_TABLE.has(token);
}

/** The dictionary, for documentation and tests. */
export const ABBREVIATIONS = { vietnamese: VIETNAMESE, english: ENGLISH } as const;
