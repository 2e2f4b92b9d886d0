/**
 * A small worker_threads pool for slip photos, so that decoding (up to a second of CPU for
 * a hard photo) never blocks other chats: the event loop only hands bytes over and waits.
 *
 * - Threads start on the first photo, not at start-up, and do not keep the process alive.
 * - The queue is bounded: past `maxQueued` waiting photos, decode() throws
 *   SlipDecoderBusyError at once. The channel adapters let that fail the update, which stays
 *   in the durable inbox and is replayed later — a burst of photos waits instead of piling
 *   up in memory, and nothing a citizen sent is lost.
 * - A photo that takes longer than `timeoutMs` ends its thread (a new one takes its place)
 *   and is answered as unreadable.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
// sharp must be loaded by the main thread before worker threads use it (glibc Linux keeps
// its shared libraries loaded only then; sharp's documentation, "Worker threads").
import "sharp";
import type { PhotoScan } from "./photo.ts";
import type { PhotoJob, PhotoJobResult } from "./photo-worker.ts";

export class SlipDecoderBusyError extends Error {
  constructor() {
    super("too many slip photos are waiting to be read; try again later");
    this.name = "SlipDecoderBusyError";
  }
}

export interface SlipPhotoDecoder {
  /** The scan of one photo (failures are values); throws SlipDecoderBusyError when the queue is full. */
  decode(image: Uint8Array): Promise<PhotoScan>;
  /** Photos being read and waiting. */
  load(): { running: number; queued: number };
  /** Ends the threads; photos still waiting are answered as unreadable. Idempotent. */
  close(): Promise<void>;
}

export interface DecodePoolOptions {
  /** Threads (default: one per core but one, at least 1, at most 2). */
  workers?: number;
  /** Photos allowed to wait for a thread (default 16). */
  maxQueued?: number;
  /** Per-photo limit (default 15 s). */
  timeoutMs?: number;
}

interface Job {
  id: number;
  image: Uint8Array;
  resolve(scan: PhotoScan): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

// A .mjs entry that registers tsx's loader first (worker threads do not inherit it).
const WORKER_URL = new URL("./photo-worker-boot.mjs", import.meta.url);

export function defaultDecodeWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

export function createSlipDecodePool(opts: DecodePoolOptions = {}): SlipPhotoDecoder {
  const size = Math.max(1, opts.workers ?? defaultDecodeWorkers());
  const maxQueued = Math.max(0, opts.maxQueued ?? 16);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const unreadable = (): PhotoScan => ({ ok: false, reason: "no_code", ms: 0 });

  function spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    worker.unref();
    const slot: Slot = { worker };
    worker.on("message", (msg: PhotoJobResult) => {
      if (!slot.job || slot.job.id !== msg.id) return;
      finish(slot, msg.scan);
    });
    const replace = () => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      if (slot.job) finish(slot, unreadable(), false);
      if (!closed) pump();
    };
    worker.on("error", replace);
    worker.on("exit", replace);
    slots.push(slot);
    return slot;
  }

  function finish(slot: Slot, scan: PhotoScan, next = true): void {
    const job = slot.job;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    job?.resolve(scan);
    if (next) pump();
  }

  function pump(): void {
    while (queue.length) {
      let slot = slots.find((s) => !s.job);
      if (!slot && slots.length < size) slot = spawn();
      if (!slot) return;
      const job = queue.shift()!;
      slot.job = job;
      const s = slot;
      slot.timer = setTimeout(() => {
        // Stuck on this photo: answer it, drop the thread; "exit" starts a replacement.
        finish(s, unreadable(), false);
        void s.worker.terminate();
      }, timeoutMs);
      slot.timer.unref();
      const msg: PhotoJob = { id: job.id, image: job.image };
      slot.worker.postMessage(msg, [job.image.buffer as ArrayBuffer]);
    }
  }

  return {
    decode(image) {
      if (closed) return Promise.resolve(unreadable());
      const busy = slots.filter((s) => s.job).length;
      if (busy >= size && queue.length >= maxQueued) return Promise.reject(new SlipDecoderBusyError());
      // Our own copy, transferred to the thread (the caller's buffer stays usable).
      const copy = new Uint8Array(image.length);
      copy.set(image);
      return new Promise<PhotoScan>((resolve) => {
        queue.push({ id: nextId++, image: copy, resolve });
        pump();
      });
    },
    load() {
      return { running: slots.filter((s) => s.job).length, queued: queue.length };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) job.resolve(unreadable());
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
