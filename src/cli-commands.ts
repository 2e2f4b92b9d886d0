// Commands contributed by features (import/export, channel webhooks).
import type { CliCommand } from "./cli.ts";

export const cliCommands: CliCommand[] = [];
