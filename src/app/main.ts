// `npm start`: the one configuration → the service (src/app/service.ts) with every module
// (src/app/modules.ts). Prints where to look.
// The configuration is read before the rest of the service is loaded: a wrong setting is
// answered in a fraction of a second.
import { ConfigError, loadConfig } from "./config.ts";
import type { RunningService } from "./service.ts";

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const [{ DatabaseLockedError, DatabaseUnavailableError }, { DEMO_APPLICANT }, { createLogger }, { PortInUseError, startService, StartupRefusedError }, { modules }] = await Promise.all([
  import("../db/database.ts"),
  import("../demo/seed.ts"),
  import("../logger.ts"),
  import("./service.ts"),
  import("./modules.ts"),
]);
const logger = createLogger(config.logLevel);

// Signal handlers before anything starts: a SIGTERM during start-up or right after the
// "running on" line still closes the database cleanly.
let service: RunningService | undefined;
let shutdown: Promise<void> | undefined;
function requestShutdown(signal: string): void {
  if (shutdown) return;
  logger.info({ signal }, "shutting down");
  shutdown = (async () => {
    // Still starting: wait for it, then stop what was started.
    while (!service && !startFailed) await new Promise((r) => setTimeout(r, 50));
    await service?.stop();
  })().then(
    () => process.exit(0),
    (err) => {
      logger.error({ err }, "shutdown failed");
      process.exit(1);
    },
  );
}
let startFailed = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => requestShutdown(sig));

try {
  service = await startService(config, logger, modules());
} catch (err) {
  startFailed = true;
  if (err instanceof DatabaseLockedError || err instanceof PortInUseError || err instanceof DatabaseUnavailableError || err instanceof StartupRefusedError) {
    console.error(err.message);
    process.exit(1);
  }
  logger.fatal({ err }, "start-up failed");
  process.exit(1);
}

const s = service;
if (shutdown) await shutdown;
const out = [
  "",
  `Dossier bot is running on ${s.url}`,
  `  database:   ${config.database.kind === "embedded" ? `embedded (PGlite) in ${config.database.dataDir}` : "PostgreSQL server (DATABASE_URL)"}`,
  `  health:     ${s.url}/healthz   readiness: ${s.url}/readyz`,
  `  API:        ${s.url}/api/v1   (OpenAPI: ${s.url}/api/v1/openapi.json)${config.access.adminApiKey ? "" : "  — set ADMIN_API_KEY or run `npm run cli -- api-key create` for a key"}`,
  ...s.lines.map((l) => l.replaceAll("{url}", s.url)),
  `  Telegram:   ${config.telegram.mode === "disabled" ? `disabled — ${config.telegram.reason}` : `enabled (${config.telegram.mode})`}`,
  `  Zalo OA:    ${config.zalo.mode === "disabled" ? `disabled — ${config.zalo.reason}` : "enabled"}`,
];
if (s.demoCodes.length)
  out.push(
    "",
    "  DEMO DATA (fictitious, province code H99) was loaded because the embedded database was empty:",
    ...s.demoCodes.map((c) => `    ${c}`),
    `  Demo applicant: phone ${DEMO_APPLICANT.phone}, ID number ending ${DEMO_APPLICANT.idNumber.slice(-4)}`,
  );
if (s.demoAdminKey) out.push("", `  Admin API key for this demo database (shown only now): ${s.demoAdminKey}`);
if (s.demoKeys.length)
  out.push(
    "  Demo keys for the dashboard (shown only now; a broadcast made with one staff key is approved with the other):",
    ...s.demoKeys.map((k) => `    ${k.role.padEnd(8)} ${k.name}: ${k.key}`),
  );
console.log(out.join("\n") + "\n");

