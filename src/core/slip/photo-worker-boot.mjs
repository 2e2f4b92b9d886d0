// Entry of a slip-photo decoding thread. From the TypeScript sources (tests, `npm run dev`) the
// service runs through tsx, whose loader hooks a worker thread does not inherit: register them
// here, then load the worker. In the build that `npm start` runs (dist/, scripts/build.mjs)
// there is no .ts file, only the compiled worker beside this one, loaded with plain node.
import { existsSync } from "node:fs";

if (existsSync(new URL("./photo-worker.ts", import.meta.url))) {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./photo-worker.ts");
} else {
  await import("./photo-worker.js");
}
