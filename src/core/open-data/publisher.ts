// Keeps the open-data files current: generates them nightly at OPEN_DATA_REFRESH_AT
// (Vietnam time), stores the generation in the database (so every instance serves the same
// bytes and ETag, and a restart serves at once), and hands files to the HTTP layer from a
// short in-memory cache. A start-up after a missed night generates right away.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Logger } from "../../logger.ts";
import { runExclusive } from "../jobs.ts";
import { generateOpenData, OPEN_DATA_FILES, type Generation, type OpenDataFileName, type OpenDataSettings } from "./datasets.ts";

export interface StoredFile {
  name: OpenDataFileName;
  contentType: string;
  body: string;
  etag: string;
  generatedAt: Date;
}

const DAY_MS = 86_400_000;
const VN_OFFSET_MS = 7 * 3_600_000;
const CACHE_MS = 30_000;

/** The latest instant ≤ now at `HH:MM` Vietnam time. */
export function lastScheduled(now: Date, refreshAt: string): Date {
  const [h, m] = refreshAt.split(":").map(Number) as [number, number];
  const localMidnight = Math.floor((now.getTime() + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS;
  let at = localMidnight + (h * 60 + m) * 60_000;
  if (at > now.getTime()) at -= DAY_MS;
  return new Date(at);
}

export function nextScheduled(now: Date, refreshAt: string): Date {
  return new Date(lastScheduled(now, refreshAt).getTime() + DAY_MS);
}

export class OpenDataPublisher {
  private cache = new Map<OpenDataFileName, { file: StoredFile; until: number }>();
  private running: Promise<Generation> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly deps: { prisma: PrismaClient; settings: OpenDataSettings; logger: Logger; now?: () => Date },
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Generate and store every file; concurrent calls share one run. */
  regenerate(): Promise<Generation> {
    this.running ??= (async () => {
      try {
        const t0 = Date.now();
        const g = await generateOpenData(this.deps.prisma, this.deps.settings, this.now());
        await this.deps.prisma.$transaction(
          g.files.map((f) =>
            this.deps.prisma.openDataFile.upsert({
              where: { name: f.name },
              create: { ...f, generatedAt: g.generatedAt },
              update: { contentType: f.contentType, body: f.body, etag: f.etag, generatedAt: g.generatedAt },
            }),
          ),
        );
        this.cache.clear();
        this.deps.logger.info({ files: g.files.length, ms: Date.now() - t0 }, "open data generated");
        return g;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** The last generation of a file; generates the first time if nothing was ever stored. */
  async file(name: OpenDataFileName): Promise<StoredFile> {
    const hit = this.cache.get(name);
    if (hit && hit.until > Date.now()) return hit.file;
    let row = await this.deps.prisma.openDataFile.findUnique({ where: { name } });
    if (!row) {
      await this.regenerate();
      row = await this.deps.prisma.openDataFile.findUniqueOrThrow({ where: { name } });
    }
    const file: StoredFile = { name, contentType: row.contentType, body: row.body, etag: row.etag, generatedAt: row.generatedAt };
    this.cache.set(name, { file, until: Date.now() + CACHE_MS });
    return file;
  }

  /** When the stored generation was made (null: never). */
  async generatedAt(): Promise<Date | null> {
    const rows = await this.deps.prisma.openDataFile.findMany({ where: { name: { in: [...OPEN_DATA_FILES] } }, select: { generatedAt: true } });
    if (rows.length < OPEN_DATA_FILES.length) return null;
    return new Date(Math.min(...rows.map((r) => r.generatedAt.getTime())));
  }

  /** Catch up on a missed night now (in the background), then every night at OPEN_DATA_REFRESH_AT. */
  start(): void {
    const refreshAt = this.deps.settings.refreshAt;
    // One instance generates; another that comes later in the same night finds it done.
    const run = () =>
      runExclusive(this.deps.prisma, "open-data", async () => {
        const at = await this.generatedAt();
        if (!at || at < lastScheduled(this.now(), refreshAt)) await this.regenerate();
      }).catch((err: unknown) => {
        this.deps.logger.error({ err }, "open data generation failed; the previous generation stays published");
      });
    void run();
    const schedule = () => {
      const wait = Math.max(1_000, nextScheduled(this.now(), refreshAt).getTime() - this.now().getTime());
      this.timer = setTimeout(() => {
        void run().finally(schedule);
      }, wait);
      this.timer.unref();
    };
    schedule();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
