// Commands contributed by features (import/export, channel webhooks).
import { setTelegramWebhook } from "./bot/telegram/index.ts";
import type { CliCommand } from "./cli.ts";

export const cliCommands: CliCommand[] = [
  {
    name: "telegram set-webhook",
    usage: "telegram set-webhook   (registers PUBLIC_URL/webhooks/telegram with TELEGRAM_WEBHOOK_SECRET)",
    needsDb: false,
    async run(_args, { config, print }) {
      try {
        print(await setTelegramWebhook(config));
      } catch (err) {
        print((err as Error).message);
        return 1;
      }
    },
  },
];
