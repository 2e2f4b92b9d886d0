// The chat channels, each built once per process from its discriminated config: its webhook
// router (or poller), its inbox processor, its delivery sender, its readiness check and its
// stop. The delivery engine, the survey and the staff digest take their senders from here, so
// that one process has one Telegram sender and one Zalo token store.
import type { Router } from "express";
import { claimJob, releaseJob } from "../core/jobs.ts";
import type { DeliveryChannel, DeliveryWorkerOptions } from "../core/delivery/engine.ts";
import type { ChannelSender } from "../core/delivery/types.ts";
import { WebSender } from "../core/delivery/web-inbox.ts";
import { startTelegram, type StartTelegramOptions, type TelegramChannel } from "../bot/telegram/index.ts";
import type { ConversationPort as TelegramConversation } from "../bot/telegram/index.ts";
import { startZalo, type StartZaloOptions, type ZaloChannel } from "../bot/zalo/index.ts";
import type { Config } from "./config.ts";
import type { AppContext } from "./context.ts";
import { StartupRefusedError } from "./errors.ts";

export type ReadinessCheck = () => Promise<{ name: string; ok: boolean; detail?: string }>;

export interface Channels {
  telegram: TelegramChannel;
  /** Absent when Zalo is not configured (config.zalo.mode === "disabled"). */
  zalo?: ZaloChannel;
  /** The /try page's chat (demo database only): a delivery channel of its own. */
  web?: WebSender;
  /** Delivery senders of the enabled channels, in button order. */
  senders: ChannelSender[];
  /** ZNS for closed Zalo windows (ZALO_ZNS_TEMPLATE_STATUS). */
  zns?: DeliveryWorkerOptions["zns"];
  /** The channels notices, announcements and surveys can be sent on. */
  deliveryChannels: DeliveryChannel[];
  /** Why a channel is not there (logged at start-up). */
  notes: string[];
  routers: Router[];
  readiness: ReadinessCheck[];
  /** Stops polling, replay and token timers and waits for updates in flight; releases the polling lease. Idempotent. */
  stop(): Promise<void>;
}

export interface ChannelOptions {
  telegram?: StartTelegramOptions;
  zalo?: StartZaloOptions;
  /** The conversation the channels answer with (default: the context's). */
  conversation?: TelegramConversation;
}

/** The /try page and its chat run on the embedded database with demo data allowed. */
export function tryPageEnabled(config: Config): boolean {
  return config.database.kind === "embedded" && config.demoData !== "off";
}

const POLLING_LEASE_MS = 30_000;

/** getUpdates allows one consumer per bot: one instance holds the polling lease, renewed while it runs. */
async function holdPollingLease(ctx: AppContext): Promise<() => Promise<void>> {
  const holder = `polling:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  if (!(await claimJob(ctx.prisma, "telegram-polling", POLLING_LEASE_MS, holder)))
    throw new StartupRefusedError(
      "Telegram long polling already runs on another instance of this database; only one may poll. Stop it, or set TELEGRAM_MODE=webhook to run several instances.",
    );
  const renew = setInterval(() => {
    claimJob(ctx.prisma, "telegram-polling", POLLING_LEASE_MS, holder).catch((err: unknown) => ctx.logger.warn({ err }, "could not renew the polling lease"));
  }, POLLING_LEASE_MS / 3);
  renew.unref();
  return async () => {
    clearInterval(renew);
    await releaseJob(ctx.prisma, "telegram-polling", holder).catch(() => {});
  };
}

export async function buildChannels(ctx: AppContext, opts: ChannelOptions = {}): Promise<Channels> {
  const { config } = ctx;
  const conversation = opts.conversation ?? ctx.conversation;
  const releasePolling = config.telegram.mode === "polling" ? await holdPollingLease(ctx) : undefined;
  const telegram = startTelegram(ctx, conversation, opts.telegram);
  const zalo = config.zalo.mode === "disabled" ? undefined : startZalo(ctx, conversation, opts.zalo);
  const web = tryPageEnabled(config) ? new WebSender() : undefined;

  const senders: ChannelSender[] = [];
  const notes: string[] = [];
  if (telegram.sender) senders.push(telegram.sender);
  else if (config.telegram.mode === "disabled") notes.push(`Telegram: ${config.telegram.reason}`);
  if (zalo) {
    senders.push(zalo.deliverySender);
    if (!zalo.zns) notes.push("ZNS fallback: off (ZALO_ZNS_TEMPLATE_STATUS not set): a closed Zalo window is recorded as undeliverable");
  } else if (config.zalo.mode === "disabled") notes.push(`Zalo: ${config.zalo.reason}`);
  if (web) senders.push(web);
  if (!zalo) ctx.logger.info({ reason: config.zalo.mode === "disabled" ? config.zalo.reason : undefined }, "Zalo channel disabled");

  let stopped: Promise<void> | undefined;
  return {
    telegram,
    ...(zalo ? { zalo } : {}),
    ...(web ? { web } : {}),
    senders,
    ...(zalo?.zns ? { zns: zalo.zns } : {}),
    deliveryChannels: senders.map((s) => s.channel) as DeliveryChannel[],
    notes,
    routers: [telegram.router, ...(zalo ? [zalo.router] : [])],
    readiness: [telegram.readinessCheck, ...(zalo ? [zalo.readinessCheck] : [])],
    stop() {
      stopped ??= (async () => {
        await telegram.stop();
        await zalo?.stop();
        await releasePolling?.();
      })();
      return stopped;
    },
  };
}
