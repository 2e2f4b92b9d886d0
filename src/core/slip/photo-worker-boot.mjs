// Entry of a slip-photo decoding thread. The service runs its TypeScript through tsx, whose
// loader hooks a worker thread does not inherit: register them here, then load the worker.
import { register } from "tsx/esm/api";

register();
await import("./photo-worker.ts");
