// Composition root: builds the services every transport uses from config + database.
import type { Config } from "./config.ts";
import { ApiKeyAuthenticator } from "./core/api-keys.ts";
import { CalendarStore } from "./core/calendar-store.ts";
import { DossierService, type StatusChange } from "./core/dossiers.ts";
import { IdentityHasher } from "./core/identity.ts";
import { randomBytes } from "node:crypto";
import type { Database } from "./db/database.ts";
import type { PrismaClient } from "./generated/prisma/client.ts";
import type { Logger } from "./logger.ts";
import { databaseConversation } from "./core/conversation/database.ts";
import { LearningLoop } from "./core/conversation/learning-loop.ts";
import { setFormOfAddress } from "./core/i18n/index.ts";
import type { ConversationService } from "./core/conversation/index.ts";
import { createSlipServices, type SlipServices } from "./core/slip/index.ts";
import { createMetrics, type Metrics } from "./observability/metrics.ts";
import { RateLimiter } from "./api/rate-limit.ts";

export interface AppContext {
  config: Config;
  db: Database;
  prisma: PrismaClient;
  logger: Logger;
  calendar: CalendarStore;
  hasher: IdentityHasher;
  dossiers: DossierService;
  auth: ApiKeyAuthenticator;
  /** Listeners for committed status changes (notices subscribe here). */
  statusListeners: ((change: StatusChange) => Promise<void> | void)[];
  /** Calls every status listener; failures are logged, never thrown. */
  emitStatusChange(change: StatusChange): Promise<void>;
  /** The channel-neutral chat (its handlers are listed in core/conversation/pipeline.ts). */
  conversation: ConversationService;
  /** Unrecognised messages, labelling, retraining without a restart. */
  learning: LearningLoop;
  /** Receipt-slip tokens, short codes and photo reading (docs/slip.md). */
  slip: SlipServices;
  /** Prometheus metrics (GET /metrics). */
  metrics: Metrics;
  /** HTTP rate limits with counters in the database (src/api/rate-limit.ts). */
  rateLimiter: RateLimiter;
}

export async function createContext(config: Config, db: Database, logger: Logger): Promise<AppContext> {
  const prisma = db.prisma;
  const calendar = new CalendarStore(prisma, config.WORKING_HOURS);
  await calendar.seedIfEmpty();
  const pepper = config.HASH_PEPPER ?? (await storedPepper(prisma, logger));
  const hasher = new IdentityHasher(pepper);
  const statusListeners: AppContext["statusListeners"] = [];
  // One listener failing (e.g. a channel down) must not stop the others or the caller.
  const emitStatusChange = async (change: StatusChange) => {
    for (const l of statusListeners) {
      try {
        await l(change);
      } catch (err) {
        logger.error({ err, code: change.code }, "status listener failed");
      }
    }
  };
  const dossiers = new DossierService({ prisma, calendar, hasher, onStatusChanged: emitStatusChange });
  setFormOfAddress(config.FORM_OF_ADDRESS);
  const slip = createSlipServices({ config, prisma, pepper });
  const learning = await LearningLoop.create({ prisma, logger: logger.child({ component: "understanding" }) });
  const conversation = databaseConversation({
    prisma,
    calendar,
    hasher,
    understander: learning.understanding,
    slip,
    portalUrl: config.PUBLIC_SERVICE_PORTAL_URL,
    ...(config.SUPPORT_HOTLINE ? { hotlineFallback: config.SUPPORT_HOTLINE } : {}),
  });
  return {
    config,
    db,
    prisma,
    logger,
    calendar,
    hasher,
    dossiers,
    auth: new ApiKeyAuthenticator(prisma, config.ADMIN_API_KEY),
    statusListeners,
    emitStatusChange,
    conversation,
    learning,
    slip,
    metrics: createMetrics(prisma),
    rateLimiter: new RateLimiter(prisma),
  };
}

/**
 * Without HASH_PEPPER the pepper is generated once and kept in the database. That keeps
 * hashes stable across restarts, but a database backup then holds the pepper too: production
 * should set HASH_PEPPER (README, "Personal data").
 */
async function storedPepper(prisma: PrismaClient, logger: Logger): Promise<string> {
  const existing = await prisma.setting.findUnique({ where: { key: "hash_pepper" } });
  if (existing) return existing.value;
  const value = randomBytes(32).toString("base64url");
  await prisma.setting.upsert({ where: { key: "hash_pepper" }, create: { key: "hash_pepper", value }, update: {} });
  logger.warn("HASH_PEPPER is not set: generated one and stored it in the database (set HASH_PEPPER in production)");
  return (await prisma.setting.findUniqueOrThrow({ where: { key: "hash_pepper" } })).value;
}
