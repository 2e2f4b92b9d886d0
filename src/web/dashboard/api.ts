// The dashboard's API client: same-origin REST with the key the user pasted (sessionStorage
// only), Vietnamese error messages chosen by the error *code* the API returns (never by
// parsing its English text), and feature detection for routes an older server lacks.
import type { Role } from "./types.ts";
import { ROLE_NAMES } from "./format.ts";

const KEY_STORE = "dashboard.apiKey";
export const getKey = (): string => sessionStorage.getItem(KEY_STORE) ?? "";
export const setKey = (key: string): void => sessionStorage.setItem(KEY_STORE, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY_STORE);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
/** A mistake in what the user typed, found before calling the API. */
export class InputError extends Error {}

type ErrorBody = { error?: { code?: string; message?: string; details?: unknown } };

const missing = new Set<string>();
/** Has this route answered 404 as a route (not as a missing record)? Then its widget hides. */
export const routeMissing = (path: string): boolean => missing.has(path);

export async function api<T>(path: string, opts: { method?: string; json?: unknown; feature?: string } = {}): Promise<T> {
  const res = await call(path, opts);
  return (res.status === 204 ? null : await res.json()) as T;
}

export async function call(path: string, opts: { method?: string; json?: unknown; feature?: string } = {}): Promise<Response> {
  const key = getKey();
  if (!key) throw new ApiError(0, "no_key", "Chưa có khoá API: dán khoá vào ô «Khoá API» ở đầu trang rồi bấm «Dùng khoá».");
  const headers: Record<string, string> = { authorization: "Bearer " + key, "accept-language": "vi" };
  if (opts.json !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? "GET",
      headers,
      body: opts.json === undefined ? null : JSON.stringify(opts.json),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, "network", "Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.");
  }
  if (!res.ok) {
    let body: ErrorBody | null = null;
    try {
      body = (await res.json()) as ErrorBody;
    } catch {
      body = null;
    }
    const err: NonNullable<ErrorBody["error"]> = body?.error ?? {};
    const message = err.message ?? `HTTP ${res.status}`;
    if (res.status === 404 && opts.feature && /^No route /.test(message)) missing.add(opts.feature);
    if (res.status === 404 && opts.feature && err.code === "not_found" && /^Không có đường dẫn/.test(message)) missing.add(opts.feature);
    throw new ApiError(res.status, err.code ?? `http_${res.status}`, message, err.details);
  }
  return res;
}

const needText = (roles: Role[]) =>
  roles
    .map((r) => ROLE_NAMES[r])
    .concat(roles.includes("admin") ? [] : [ROLE_NAMES.admin])
    .join(" hoặc ");

/** Is this text Vietnamese (has a Vietnamese letter)? Otherwise the code's own sentence is shown. */
const looksVietnamese = (s: string) => /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i.test(s);

/** One Vietnamese sentence for a failed action. */
export function explain(err: unknown, need: Role[]): string {
  if (err instanceof InputError) return err.message;
  if (!(err instanceof ApiError)) return "Lỗi trên trang: " + (err instanceof Error ? err.message : String(err));
  if (err.status === 0) return err.message;
  const server = looksVietnamese(err.message) ? " " + err.message : "";
  switch (err.code) {
    case "unauthorized":
      return `Khoá API không hợp lệ hoặc đã bị thu hồi (401). Dán khoá có vai trò ${needText(need)} vào ô «Khoá API» ở đầu trang.`;
    case "forbidden":
      return `Khoá này không đủ quyền (403): phần này cần vai trò ${needText(need)}. Hãy xin quản trị viên một khoá phù hợp.`;
    case "not_found":
      return "Không tìm thấy (404)." + server;
    case "conflict":
      return "Không thực hiện được vì trạng thái đã thay đổi (409): tải lại rồi thử lại." + server;
    case "bad_request":
    case "validation_failed":
      return "Dữ liệu chưa hợp lệ (" + err.status + ")." + (server || " Kiểm tra lại các ô đã nhập.");
    case "unprocessable":
      if (err.details && typeof err.details === "object" && "channels" in err.details)
        return "Không gửi được (422): máy chủ chưa cấu hình kênh nào trong số các kênh đã chọn (Telegram cần TELEGRAM_BOT_TOKEN, Zalo cần ZALO_*)." + server;
      return "Không thực hiện được (422)." + server;
    case "too_large":
      return "Dữ liệu quá lớn (413): thu hẹp bộ lọc rồi thử lại." + server;
    case "rate_limited":
      return "Quá nhiều yêu cầu (429): chờ một lát rồi thử lại.";
    default:
      return err.status >= 500 ? "Lỗi máy chủ (" + err.status + "): vui lòng thử lại sau." : "Không thực hiện được (" + err.status + ")." + server;
  }
}
