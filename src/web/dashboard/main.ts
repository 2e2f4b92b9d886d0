// /dashboard in the browser: the key box, the tabs the key's role may use (from GET /me; the
// others are hidden, so nobody lands on a 403), and the tabs themselves (./tabs/*.ts).
import { append, byId, clear, h } from "../shared/dom.ts";
import { api, ApiError, forgetKey, getKey, InputError, setKey } from "./api.ts";
import { ROLE_NAMES, setStatusNames } from "./format.ts";
import { can, state } from "./state.ts";
import { mountAtRisk } from "./tabs/at-risk.ts";
import { mountAudit } from "./tabs/audit.ts";
import { mountBroadcasts, type BroadcastBoot } from "./tabs/broadcasts.ts";
import { mountDossiers } from "./tabs/dossiers.ts";
import { mountSatisfaction } from "./tabs/satisfaction.ts";
import { mountTimeliness } from "./tabs/timeliness.ts";
import type { Lookups, Me, Role } from "./types.ts";
import { badge, busy, fillUnits, flash } from "./ui.ts";
import "./dashboard.css";

interface Boot extends BroadcastBoot {
  statuses: Record<string, string>;
}
const boot = JSON.parse(byId("boot").textContent || "{}") as Boot;
setStatusNames(boot.statuses);

interface Tab {
  id: string;
  label: string;
  need: Role[];
  /** Shown only when the server has this optional route. */
  optional?: keyof typeof state.caps;
  load: () => Promise<void>;
  loaded: boolean;
}

const tablist = byId("tabs");
const panels = byId("panels");
const tabs: Tab[] = [];
const unitPickers: HTMLSelectElement[] = [];
function addTab(id: string, label: string, need: Role[], mount: (panel: HTMLElement) => { load: () => Promise<void>; units?: HTMLSelectElement[] }, optional?: Tab["optional"]): void {
  const panel = h("section", { id: "panel-" + id, hidden: true, attrs: { role: "tabpanel", "aria-labelledby": "tab-" + id } });
  panels.append(panel);
  const button = h("button", { type: "button", id: "tab-" + id, hidden: true, attrs: { role: "tab", "aria-controls": "panel-" + id, "aria-selected": "false" } }, label);
  button.addEventListener("click", () => {
    if (location.hash !== "#" + id) history.replaceState(null, "", "#" + id);
    open(id);
  });
  tablist.append(button);
  const m = mount(panel);
  unitPickers.push(...(m.units ?? []));
  tabs.push({ id, label, need, optional, load: m.load, loaded: false });
}

addTab("hai-long", "Chỉ số hài lòng", ["analyst"], mountSatisfaction);
addTab("dung-han", "Đúng hạn", ["analyst"], mountTimeliness);
const dossiers = mountDossiersTab();
addTab("sap-tre", "Sắp trễ hạn", ["staff", "analyst"], (p) => mountAtRisk(p, (code) => { open("ho-so", false); void dossiers.showDossier(code); }), "atRisk");
addTab("thong-bao", "Thông báo", ["staff"], (p) => mountBroadcasts(p, boot));
addTab("nhat-ky", "Nhật ký", ["admin"], mountAudit);

function mountDossiersTab() {
  let api!: ReturnType<typeof mountDossiers>;
  addTab("ho-so", "Hồ sơ", ["staff", "analyst"], (p) => (api = mountDossiers(p)));
  return api;
}
// Clicking a count in any tab opens the list in «Hồ sơ».
const openList = state.openList!;
state.openList = (filter, title) => {
  open("ho-so", false);
  openList(filter, title);
};

const visible = (t: Tab) => can(t.need) && (!t.optional || state.caps[t.optional]);
let active = "";
function open(id: string, load = true): void {
  const shown = tabs.filter(visible);
  const tab = shown.find((t) => t.id === id) ?? shown[0];
  if (!tab) return;
  active = tab.id;
  for (const t of tabs) {
    const on = t.id === tab.id;
    const b = byId("tab-" + t.id);
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
    byId("panel-" + t.id).hidden = !on;
  }
  if (load && !tab.loaded && getKey()) {
    tab.loaded = true;
    void tab.load();
  }
}
function showTabs(): void {
  for (const t of tabs) byId("tab-" + t.id).hidden = !visible(t);
  const any = tabs.some(visible);
  tablist.hidden = !any;
  panels.hidden = !any;
}
tablist.addEventListener("keydown", (e) => {
  const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
  if (!d) return;
  const shown = tabs.filter(visible);
  const i = shown.findIndex((t) => t.id === active);
  const next = shown[(i + d + shown.length) % shown.length]!;
  byId("tab-" + next.id).focus();
  byId("tab-" + next.id).click();
});
window.addEventListener("hashchange", () => open(location.hash.slice(1)));

// ---------------------------------------------------------------- the key
const keyInput = byId<HTMLInputElement>("key-input");
const keyMsg = byId("key-msg");

/** Who the key is: GET /me, or on an older server the role named in a 403. */
async function whoAmI(): Promise<Me> {
  try {
    return await api<Me>("/api/v1/me", { feature: "me" });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  try {
    await api("/api/v1/audit-log?limit=1");
    return { role: "admin" };
  } catch (err) {
    const m = err instanceof ApiError && err.status === 403 ? /your key has (\w+)/.exec(err.message) : null;
    if (m && (m[1] === "staff" || m[1] === "analyst")) return { role: m[1] };
    throw err;
  }
}

/** Optional routes of this server and the units for the pickers. */
async function discover(): Promise<void> {
  // Only an answer counts: a server without the route answers 404 (or 400, taking
  // "at-risk" for a dossier code).
  const probe = async (path: string) => {
    try {
      await api(path);
      return true;
    } catch {
      return false;
    }
  };
  const [list, atRisk] = await Promise.all([probe("/api/v1/dossiers?limit=1"), probe("/api/v1/dossiers/at-risk?limit=1")]);
  state.caps = { list, atRisk };
  try {
    state.lookups = await api<Lookups>("/api/v1/lookups");
    state.units = state.lookups.units;
  } catch {
    // An older server: analysts can still pick among the units the index reports.
    state.units = [];
    if (can(["analyst"]))
      try {
        const rep = await api<{ groups: { key: Record<string, unknown> }[] }>("/api/v1/stats/satisfaction?groupBy=unit");
        state.units = rep.groups.map((g) => g.key.unit as Lookups["units"][number]).filter((u) => u && typeof u.code === "string");
      } catch {
        state.units = [];
      }
  }
  for (const s of unitPickers) fillUnits(s, state.units);
}

function showKeyState(): void {
  const st = clear(byId("key-status"));
  const key = getKey();
  const me = state.me;
  if (!key) {
    st.append(badge("Chưa có khoá", "warn"), " Dán khoá API do quản trị viên cấp. Khoá chỉ giữ trong thẻ trình duyệt này (sessionStorage).");
    keyInput.placeholder = "Dán khoá API…";
  } else {
    append(st, [
      badge("Đã có khoá …" + key.slice(-4), "ok"),
      me ? [" ", h("strong", null, me.keyName ?? me.name ?? ""), me.keyName || me.name ? " — " : " ", "vai trò ", h("strong", { id: "role" }, ROLE_NAMES[me.role]), "."] : "",
      " Khoá chỉ giữ trong thẻ này; đóng thẻ là mất.",
    ]);
    keyInput.placeholder = "Đã lưu khoá …" + key.slice(-4) + " — dán khoá khác để đổi";
  }
  byId("no-key").hidden = !!me;
}

async function useKey(): Promise<void> {
  const ok = await busy(byId<HTMLButtonElement>("key-save"), keyMsg, ["staff", "analyst"], async () => {
    try {
      state.me = await whoAmI();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        forgetKey();
        throw new InputError("Khoá này không hợp lệ hoặc đã bị thu hồi (401), nên không được lưu. Kiểm tra lại khoá hoặc xin quản trị viên khoá mới.");
      }
      throw err;
    }
    if (state.me.actor && (state.me.keyName ?? state.me.name)) state.actorNames.set(state.me.actor, `${state.me.keyName ?? state.me.name} (khoá này)`);
    await discover();
  });
  showKeyState();
  showTabs();
  if (ok) open(location.hash.slice(1) || tabs.find(visible)?.id || "");
}

byId<HTMLFormElement>("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const key = keyInput.value.trim().replace(/^Bearer\s+/i, "");
  if (!key) {
    flash(keyMsg, "err", "Ô khoá đang trống: dán khoá API rồi bấm «Dùng khoá».");
    return;
  }
  // A fresh page for a new key: nothing one key showed is left on screen for the next one.
  setKey(key);
  keyInput.value = "";
  location.reload();
});
byId("key-clear").addEventListener("click", () => {
  forgetKey();
  keyInput.value = "";
  location.reload();
});

showKeyState();
showTabs();
if (getKey()) void useKey();
else keyInput.focus();
