// GET /: where to look — the try-the-bot page, the dashboard, the API and its documentation,
// health and open data. Static, no script, strict CSP.
import express, { type Router } from "express";
import { pageCsp } from "./csp.ts";

const PAGE = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bot tra cứu hồ sơ — Dossier bot</title>
<style>
  body { margin:0; font:16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:#eef1f5; color:#1d2433; }
  main { max-width:640px; margin:0 auto; padding:24px 16px; }
  h1 { font-size:22px; margin:0 0 4px; }
  p.lead { margin:0 0 20px; color:#475467; }
  a.card { display:block; background:#fff; border:1px solid #d9dee7; border-radius:10px; padding:14px 16px; margin:10px 0; color:inherit; text-decoration:none; }
  a.card:hover { border-color:#2b7de9; }
  a.card b { color:#1f4fa3; }
  small { color:#667085; }
</style>
</head>
<body>
<main>
  <h1>Bot tra cứu hồ sơ thủ tục hành chính</h1>
  <p class="lead">Citizens ask "where is my dossier?" on Zalo and Telegram. / Công dân hỏi "hồ sơ của tôi đến đâu rồi?" qua Zalo và Telegram.</p>
  <a class="card" href="/try"><b>Dùng thử bot</b> — Try the bot<br><small>Trò chuyện với bot trên dữ liệu mẫu, không cần tài khoản / Chat with the bot on demo data</small></a>
  <a class="card" href="/dashboard"><b>Bảng điều khiển</b> — Dashboard<br><small>Cho cán bộ và người phân tích, cần khóa API / For staff and analysts, with an API key</small></a>
  <a class="card" href="/api/v1/openapi.json"><b>API</b> — OpenAPI document<br><small>REST API under /api/v1, Bearer API keys</small></a>
  <a class="card" href="/open-data/catalog.json"><b>Dữ liệu mở</b> — Open data<br><small>Chỉ số hài lòng và tiến độ theo đơn vị, tháng / Satisfaction and timeliness by unit and month</small></a>
  <p><small>Health: <a href="/healthz">/healthz</a> · Readiness: <a href="/readyz">/readyz</a></small></p>
</main>
</body>
</html>`;

const CSP = pageCsp(PAGE);

export function createLandingRouter(): Router {
  const router = express.Router();
  router.get("/", (_req, res) => {
    res
      .status(200)
      .set("content-type", "text/html; charset=utf-8")
      .set("content-security-policy", CSP)
      .send(PAGE);
  });
  return router;
}
