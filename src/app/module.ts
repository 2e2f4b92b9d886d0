// What a module of the service declares, as data: the composition (src/app/service.ts) reads
// these parts from every module in one visible order (src/app/modules.ts), attaches the status
// listeners once, builds the HTTP app from the routers and routes, then starts the jobs and
// the modules' long-running work. A module never changes the context or another module.
import type { Router } from "express";
import type { ApiRoutes } from "../api/http.ts";
import { runExclusive } from "../core/jobs.ts";
import type { Logger } from "../logger.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Channels, ReadinessCheck } from "./channels.ts";
import type { AppContext, StatusListener } from "./context.ts";

export type RouteModule = (api: ApiRoutes, ctx: AppContext) => void;

/** A periodic job. */
export interface Job {
  /** Also the lease name when exclusive. */
  name: string;
  /** First run this long after start-up (0: at once). */
  firstAfterMs: number;
  everyMs: number;
  /** Runs on one instance at a time across the database (a lease, src/core/jobs.ts); the others skip the round. */
  exclusive?: { leaseMs: number };
  /** Returns something worth logging (counts), or nothing. */
  run(): Promise<unknown>;
}

export interface ModuleParts {
  /** Mounted before the API, in module order (pages, channel webhooks). */
  routers?: Router[];
  /** /api/v1 route modules (they also describe themselves in the OpenAPI document). */
  routes?: RouteModule[];
  /** Extra /readyz checks. */
  readiness?: ReadinessCheck[];
  /** Called after each committed status change, in module order. */
  statusListeners?: StatusListener[];
  jobs?: Job[];
  /** Printed at start-up ("{url}" is replaced by the service address). */
  lines?: string[];
  /** Long-running work started once the app serves (a worker loop). */
  start?(): void;
  /** Idempotent; called in reverse module order. */
  stop?(): Promise<void>;
}

export interface Module {
  name: string;
  build(ctx: AppContext, channels: Channels): Promise<ModuleParts | undefined> | ModuleParts | undefined;
}

export interface RunningJobs {
  stop(): Promise<void>;
}

/** Runs the jobs on their timers: one run of a job at a time, failures logged, never thrown. */
export function startJobs(jobs: readonly Job[], deps: { prisma: PrismaClient; logger: Logger }): RunningJobs {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  for (const job of jobs) {
    const log = deps.logger.child({ job: job.name });
    let current: Promise<unknown> | undefined;
    const tick = () => {
      if (current || stopped) return;
      const once = job.exclusive ? runExclusive(deps.prisma, job.name, () => job.run(), job.exclusive.leaseMs) : job.run();
      current = once
        .then((r) => {
          if (r && typeof r === "object" && Object.values(r).some((v) => typeof v === "number" && v > 0)) log.info(r, `${job.name} done`);
        })
        .catch((err: unknown) => log.error({ err }, `${job.name} failed`))
        .finally(() => {
          running.delete(current!);
          current = undefined;
        });
      running.add(current);
    };
    const first = setTimeout(() => {
      tick();
      const every = setInterval(tick, job.everyMs);
      every.unref();
      timers.push(every);
    }, job.firstAfterMs);
    first.unref();
    timers.push(first);
  }
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        for (const t of timers) clearTimeout(t);
        await Promise.all([...running]);
      })();
      return stopping;
    },
  };
}
