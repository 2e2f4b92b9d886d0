// Shared by the channel processors: one user's updates run one after another in this
// process (so two quick messages cannot race on the conversation state), and everything in
// flight can be awaited at shutdown.
import type { Logger } from "../logger.ts";

export interface WorkTracker {
  /** Runs fn after every earlier task with the same key has settled. */
  serialised<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Remembers p until it settles, for idle(). */
  track<T>(p: Promise<T>): Promise<T>;
  /** Resolves when nothing tracked is running. */
  idle(): Promise<void>;
}

export function createWorkTracker(): WorkTracker {
  const inFlight = new Set<Promise<unknown>>();
  const chains = new Map<string, Promise<unknown>>();
  return {
    serialised(key, fn) {
      const prev = chains.get(key) ?? Promise.resolve();
      const run = prev.then(fn, fn);
      const tail = run.catch(() => {});
      chains.set(key, tail);
      void tail.then(() => {
        if (chains.get(key) === tail) chains.delete(key);
      });
      return run;
    },
    track(p) {
      inFlight.add(p);
      void p.catch(() => {}).finally(() => inFlight.delete(p));
      return p;
    },
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}

/**
 * Replays what a crash or a failure left in the inbox: once now, then every intervalMs
 * (0 = only now). Never two replays at once in this process. Returns the timer to clear.
 */
export function startReplayLoop(opts: {
  replay: () => Promise<{ claimed: number }>;
  intervalMs: number;
  logger: Logger;
  what: string;
}): NodeJS.Timeout | undefined {
  let replaying = false;
  const run = async () => {
    if (replaying) return;
    replaying = true;
    try {
      const r = await opts.replay();
      if (r.claimed) opts.logger.info(r, `replayed unprocessed ${opts.what}`);
    } catch (err) {
      opts.logger.error({ err }, `replaying ${opts.what} failed`);
    } finally {
      replaying = false;
    }
  };
  void run();
  if (opts.intervalMs <= 0) return undefined;
  const timer = setInterval(() => void run(), opts.intervalMs);
  timer.unref();
  return timer;
}
