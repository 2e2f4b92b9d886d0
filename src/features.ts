// The optional parts of the service, started by src/server.ts in this order.
import type { Config } from "./config.ts";
import type { Feature } from "./server.ts";

export function features(_config: Config): Feature[] {
  return [];
}
