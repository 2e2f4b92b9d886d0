// Composition root: builds the services every transport uses from config + database.
import type { Config } from "./config.ts";
import { ApiKeyAuthenticator } from "../core/api-keys.ts";
import { CalendarStore } from "../core/calendar-store.ts";
import { DossierService, type StatusChange } from "../core/dossiers.ts";
import { IdentityHasher } from "../core/identity.ts";
import { randomBytes } from "node:crypto";
import type { Database } from "../db/database.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import { databaseConversation } from "../core/conversation/database.ts";
import { LearningLoop } from "../core/conversation/learning-loop.ts";
import { setFormOfAddress } from "../core/i18n/index.ts";
import type { ConversationService } from "../core/conversation/index.ts";
import { createSlipServices, type SlipServices } from "../core/slip/index.ts";
import { createMetrics, type Metrics } from "../observability/metrics.ts";
import { RateLimiter } from "../api/rate-limit.ts";

export type StatusListener = (change: StatusChange) => Promise<void> | void;

export interface StatusEvents {
  /** Calls every listener in order; one failing (e.g. a channel down) is logged and does not stop the others or the caller. */
  emit(change: StatusChange): Promise<void>;
  /** Sets the listeners, once; a second call throws. */
  attach(listeners: readonly StatusListener[]): void;
}

export function createStatusEvents(logger: Logger): StatusEvents {
  let listeners: readonly StatusListener[] | undefined;
  return Object.freeze({
    async emit(change: StatusChange) {
      for (const l of listeners ?? []) {
        try {
          await l(change);
        } catch (err) {
          logger.error({ err, code: change.code }, "status listener failed");
        }
      }
    },
    attach(list: readonly StatusListener[]) {
      if (listeners) throw new Error("status listeners are attached once, by the composition");
      listeners = Object.freeze([...list]);
    },
  });
}

/** Built once per process (src/app/service.ts, the CLI, test harnesses) and frozen: modules read it, none changes it. */
export interface AppContext {
  readonly config: Config;
  readonly db: Database;
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly calendar: CalendarStore;
  readonly hasher: IdentityHasher;
  readonly dossiers: DossierService;
  readonly auth: ApiKeyAuthenticator;
  /**
   * Committed status changes: the listeners (notices, the survey) are declared by the modules
   * and attached once by the composition (src/app/service.ts); nothing adds one later.
   */
  readonly statusEvents: StatusEvents;
  /** The channel-neutral chat (its handlers are listed in core/conversation/pipeline.ts). */
  readonly conversation: ConversationService;
  /** Unrecognised messages, labelling, retraining without a restart. */
  readonly learning: LearningLoop;
  /** Receipt-slip tokens, short codes and photo reading (docs/slip.md). */
  readonly slip: SlipServices;
  /** Prometheus metrics (GET /metrics). */
  readonly metrics: Metrics;
  /** HTTP rate limits with counters in the database (src/api/rate-limit.ts). */
  readonly rateLimiter: RateLimiter;
}

export async function createContext(config: Config, db: Database, logger: Logger): Promise<AppContext> {
  const prisma = db.prisma;
  const calendar = new CalendarStore(prisma, config.workingHours.map((s) => ({ ...s })));
  await calendar.seedIfEmpty();
  const pepper = config.access.hashPepper ?? (await storedPepper(prisma, logger));
  const hasher = new IdentityHasher(pepper);
  const statusEvents = createStatusEvents(logger);
  const dossiers = new DossierService({ prisma, calendar, hasher, onStatusChanged: (c) => statusEvents.emit(c) });
  setFormOfAddress(config.chat.formOfAddress);
  const slip = createSlipServices({ config, prisma, pepper });
  const learning = await LearningLoop.create({ prisma, logger: logger.child({ component: "understanding" }) });
  const conversation = databaseConversation({
    prisma,
    calendar,
    hasher,
    understander: learning.understanding,
    slip,
    portalUrl: config.chat.portalUrl,
    ...(config.chat.supportHotline ? { hotlineFallback: config.chat.supportHotline } : {}),
  });
  return Object.freeze({
    config,
    db,
    prisma,
    logger,
    calendar,
    hasher,
    dossiers,
    auth: new ApiKeyAuthenticator(prisma, config.access.adminApiKey),
    statusEvents,
    conversation,
    learning,
    slip,
    metrics: createMetrics(prisma),
    rateLimiter: new RateLimiter(prisma),
  });
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
