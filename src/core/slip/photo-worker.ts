// One decoding thread of the slip-photo pool (decode-pool.ts): takes an image, answers the
// scan. Runs decodeSlipPhoto, whose WebAssembly symbol search would otherwise hold the
// event loop that serves every chat.
import { parentPort } from "node:worker_threads";
import { decodeSlipPhoto, type PhotoScan } from "./photo.ts";

export interface PhotoJob {
  id: number;
  image: Uint8Array;
}

export interface PhotoJobResult {
  id: number;
  scan: PhotoScan;
}

parentPort?.on("message", (job: PhotoJob) => {
  decodeSlipPhoto(job.image).then(
    (scan) => parentPort?.postMessage({ id: job.id, scan } satisfies PhotoJobResult),
    // decodeSlipPhoto answers failures as values; anything thrown is a bug, reported as unreadable.
    () => parentPort?.postMessage({ id: job.id, scan: { ok: false, reason: "not_an_image", ms: 0 } } satisfies PhotoJobResult),
  );
});
