// Styles of /dashboard (one inline <style>, allowed by its hash in the CSP).
export const DASHBOARD_STYLE = `
:root { --bg:#f3f5f8; --panel:#fff; --ink:#1d2433; --muted:#667085; --line:#d9dee7; --accent:#1f5fbf; --good:#2e7d32; --bad:#c62828; --warn:#b54708; --open:#ef8f00; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
header.top { background:#16325c; color:#fff; padding:10px 20px; }
header.top h1 { margin:0; font-size:18px; font-weight:600; }
header.top p { margin:2px 0 0; font-size:13px; color:#c9d6ea; }
main { max-width:1180px; margin:0 auto; padding:14px 20px 40px; }
.keybox { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:10px 14px; margin-bottom:12px; }
.keybox form { display:flex; gap:8px; align-items:center; flex-wrap:wrap; }
.keybox label { font-weight:600; }
.keybox input { flex:1 1 320px; min-width:200px; }
#key-status { margin-top:6px; font-size:13px; color:var(--muted); }
input[type=text], input[type=password], select, textarea { font:inherit; padding:6px 8px; border:1px solid #c3ccda; border-radius:6px; background:#fff; color:var(--ink); }
textarea { width:100%; resize:vertical; }
button { font:inherit; border:1px solid var(--accent); background:var(--accent); color:#fff; border-radius:6px; padding:6px 14px; cursor:pointer; }
button:hover:not(:disabled) { filter:brightness(1.08); }
button:disabled { opacity:.55; cursor:default; }
button.secondary { background:#fff; color:var(--accent); }
button.danger { background:#fff; color:var(--bad); border-color:var(--bad); }
button.small { padding:2px 8px; font-size:12px; }
button.more { margin-top:8px; }
[role=tablist] { display:flex; gap:2px; border-bottom:2px solid var(--line); flex-wrap:wrap; }
[role=tab] { background:transparent; color:var(--ink); border:1px solid transparent; border-bottom:none; border-radius:8px 8px 0 0; padding:8px 16px; margin-bottom:-2px; }
[role=tab][aria-selected=true] { background:var(--panel); border-color:var(--line); border-bottom:2px solid var(--panel); color:var(--accent); font-weight:600; }
[role=tabpanel] { background:var(--panel); border:1px solid var(--line); border-top:none; border-radius:0 0 8px 8px; padding:14px 16px 18px; }
.need { font-size:12px; color:var(--muted); margin:0 0 10px; }
.need.lacking { color:var(--bad); font-weight:600; }
form.filters { display:flex; flex-wrap:wrap; gap:10px 14px; align-items:flex-end; margin-bottom:10px; }
form.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:2px; }
form.filters input[type=text] { width:130px; }
form.filters input.wide { width:230px; }
.buttons { display:flex; gap:8px; flex-wrap:wrap; }
.flash { padding:7px 10px; border-radius:6px; margin:6px 0; font-size:13px; }
.flash.err { background:#fdecea; color:#8a1c12; border:1px solid #f5c2bc; }
.flash.ok { background:#e9f6ec; color:#1d5f24; border:1px solid #b8e0c0; }
.flash.info { background:#eef4fd; color:#1f4f94; border:1px solid #c9dbf6; }
.flash.warn { background:#fff4e0; color:#7a4b00; border:1px solid #f3d48a; }
.scope { color:var(--muted); font-size:13px; margin:4px 0 10px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(200px, 1fr)); gap:10px; margin:8px 0 14px; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 12px; background:#fbfcfe; }
.card.good { border-left:4px solid var(--good); }
.card.bad { border-left:4px solid var(--bad); }
.card.warn { border-left:4px solid var(--warn); }
.card-title { font-size:12px; color:var(--muted); text-transform:uppercase; letter-spacing:.02em; }
.card-value { font-size:26px; font-weight:650; margin:2px 0; }
.card.good .card-value { color:var(--good); }
.card.bad .card-value { color:var(--bad); }
.card-sub { font-size:12px; color:#475467; }
.card .badge, .card .meter { margin-top:6px; }
.badge { display:inline-block; font-size:11.5px; padding:1px 7px; border-radius:10px; background:#eef1f6; color:#344054; border:1px solid #d5dbe5; white-space:nowrap; vertical-align:middle; }
.badge.ok, .badge.good { background:#e9f6ec; color:#1d5f24; border-color:#b8e0c0; }
.badge.bad { background:#fdecea; color:#8a1c12; border-color:#f5c2bc; }
.badge.warn { background:#fff4e0; color:#7a4b00; border-color:#f3d48a; }
.badge.status { background:#eef4fd; color:#1f4f94; border-color:#c9dbf6; }
.badge.muted { color:var(--muted); }
.good { color:var(--good); }
.bad { color:var(--bad); }
.muted { color:var(--muted); }
.small { font-size:12px; }
h3 { font-size:15px; margin:18px 0 6px; }
h4 { font-size:13px; margin:12px 0 4px; }
.notes { margin:0 0 10px; padding-left:18px; color:#7a4b00; font-size:13px; }
.chart-box { overflow-x:auto; }
svg.chart { width:100%; min-width:640px; height:auto; display:block; font-size:12.5px; }
svg.chart .grid { stroke:#e6e9ef; }
svg.chart .axis { fill:var(--muted); font-size:11px; }
svg.chart .label { fill:var(--ink); }
svg.chart .strong { font-weight:650; }
svg.chart .value { fill:#344054; }
svg.chart .value.muted { fill:var(--muted); font-style:italic; paint-order:stroke; stroke:#fff; stroke-width:4px; }
svg.chart .bar.good { fill:#4caf50; }
svg.chart .bar.bad { fill:#e57373; }
svg.chart .bar.open { fill:#ffb74d; }
svg.chart .bar.small { fill-opacity:.4; stroke-dasharray:3 2; stroke-width:1; }
svg.chart .bar.good.small { stroke:#2e7d32; }
svg.chart .bar.bad.small { stroke:#c62828; }
svg.chart .ci { stroke:#1d2433; stroke-width:1.4; }
svg.chart .target { stroke:var(--bad); stroke-width:2; stroke-dasharray:6 4; }
svg.chart .target-label { fill:var(--bad); font-size:11.5px; font-weight:600; }
svg.chart g.row:hover .label { fill:var(--accent); }
.legend { display:flex; flex-wrap:wrap; gap:14px; font-size:12px; color:#475467; margin:4px 0 10px; }
.legend .sw { display:inline-block; width:14px; height:10px; margin-right:5px; vertical-align:middle; border-radius:2px; }
.sw.good { background:#4caf50; } .sw.bad { background:#e57373; } .sw.open { background:#ffb74d; }
.sw.small { background:rgba(102,112,133,.25); border:1px dashed #475467; }
.sw.ci { height:2px; background:#1d2433; border-left:1px solid #1d2433; }
.sw.target { width:0; height:12px; border-left:2px dashed var(--bad); border-radius:0; }
.table-wrap { overflow-x:auto; margin:4px 0 8px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
caption { caption-side:bottom; text-align:left; color:var(--muted); font-size:12px; padding-top:4px; }
th, td { border-bottom:1px solid #e6e9ef; padding:5px 8px; text-align:left; vertical-align:top; }
th { background:#f6f8fb; font-weight:600; font-size:12px; color:#344054; }
table.groups td:first-child { min-width:220px; }
td.n, th.n { text-align:right; }
td.n { white-space:nowrap; }
tr.total td { font-weight:650; background:#fafbfd; }
tr.muted td { color:var(--muted); }
[class^=indent-] { display:inline-block; }
.indent-1 { padding-left:14px; } .indent-2 { padding-left:28px; } .indent-3 { padding-left:42px; } .indent-4 { padding-left:56px; }
td.comment { max-width:280px; }
td.json { font-family:ui-monospace, Menlo, Consolas, monospace; font-size:12px; max-width:380px; word-break:break-all; }
td.text { max-width:320px; }
td.progress { min-width:150px; }
td.actions { white-space:nowrap; }
td.actions button + button { margin-left:4px; }
td code { white-space:nowrap; }
code { font-family:ui-monospace, Menlo, Consolas, monospace; font-size:12.5px; }
.reasons { padding-left:22px; margin:4px 0; }
.reasons li { margin:3px 0; }
.reason-label { display:inline-block; min-width:220px; }
.reason-bar { display:inline-block; width:180px; height:9px; background:#f1f3f7; border-radius:5px; margin:0 10px; vertical-align:middle; overflow:hidden; }
.reason-bar .fill, .meter .fill { display:block; height:100%; background:#e57373; }
.reason-n { font-size:12px; color:#475467; }
.meter { position:relative; height:9px; background:#eef1f6; border-radius:5px; overflow:hidden; }
.meter .fill { background:#4caf50; }
.meter.cancelled .fill { background:#b8c0cc; }
.meter .mark { position:absolute; right:0; top:0; bottom:0; width:2px; background:var(--bad); }
.dossier-head { display:flex; gap:8px; align-items:center; flex-wrap:wrap; }
.dossier-head h3 { margin:4px 8px 4px 0; }
.dossier-head h3 code { font-size:17px; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; margin:10px 0; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; }
.grid2 { display:grid; grid-template-columns:minmax(0,1fr) minmax(0,1fr); gap:18px; }
@media (max-width:900px) { .grid2 { grid-template-columns:1fr; } }
fieldset { border:1px solid var(--line); border-radius:8px; padding:8px 12px 12px; margin:0; }
legend { font-weight:600; padding:0 4px; }
.field { display:flex; flex-direction:column; gap:2px; margin:6px 0; font-size:12px; color:var(--muted); }
.field input[type=text] { width:100%; }
.checks { display:flex; flex-wrap:wrap; gap:4px 12px; font-size:13px; color:var(--ink); }
.checks label { display:inline-flex; gap:4px; align-items:center; }
.preview .bubble { background:#eef4fd; border-radius:12px; padding:8px 12px; white-space:pre-wrap; margin:2px 0 8px; max-width:520px; }
.broadcast-text { white-space:pre-wrap; background:#f6f8fb; border-radius:6px; padding:8px 10px; }
.counts { display:flex; flex-wrap:wrap; gap:4px 14px; font-size:12.5px; margin:6px 0; }
.detail-head { display:flex; justify-content:space-between; align-items:center; }
#b-detail:not(:empty) { border-top:1px solid var(--line); margin-top:12px; padding-top:4px; }
`;
