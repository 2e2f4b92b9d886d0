// Prometheus metrics (prom-client). Two kinds:
//  - counters and histograms of this process (HTTP requests and latency by route and status,
//    send results and 429s by channel, imported rows), summed across instances by Prometheus;
//  - gauges read from the database when scraped (inbox backlog, outbound queue by channel and
//    state, sends in the last minute, blocked accounts, token refresh failing, survey
//    invitations and responses, unrecognised messages) — the same for every instance, because
//    the queue and the inbox are shared. Cached for a few seconds so scrapes stay cheap.
// docs/metrics.md lists every series and suggests alert rules.
import client from "prom-client";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { MAX_ATTEMPTS } from "../core/inbox.ts";

export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Histogram<"method" | "route" | "status">;
  sendResults: client.Counter<"channel" | "result">;
  rateLimited: client.Counter<"channel">;
  importRows: client.Counter<"result">;
  /** Authenticated webhook deliveries acknowledged but not processed (poison), and stored after replacing what the database cannot hold. */
  webhookPoison: client.Counter<"channel" | "outcome">;
  /** Requests refused with 429 by the HTTP rate limits, by limit. */
  httpRateLimited: client.Counter<"limit">;
}

const CACHE_MS = 5_000;

export function createMetrics(prisma: PrismaClient): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpRequests = new client.Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP requests by method, route (the pattern, not the URL) and status, with their duration",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const sendResults = new client.Counter({
    name: "outbound_send_results_total",
    help: "Outbound sends (notices, announcements, survey messages) by channel and result: sent, rate_limited, temporary, permanent, blocked, window_closed",
    labelNames: ["channel", "result"] as const,
    registers: [registry],
  });
  const rateLimited = new client.Counter({ name: "outbound_rate_limited_total", help: "429 answers from a platform, by channel", labelNames: ["channel"] as const, registers: [registry] });
  const importRows = new client.Counter({ name: "dossier_import_rows_total", help: "Rows of bulk imports by result (imported, rejected)", labelNames: ["result"] as const, registers: [registry] });

  const webhookPoison = new client.Counter({
    name: "webhook_poison_total",
    help: "Authenticated webhook deliveries that could not be used as sent, by channel and outcome: rejected_too_deep, rejected_not_json, rejected_invalid, rejected_unstorable (acknowledged, not processed) or sanitised (stored with U+0000 / bad bytes replaced)",
    labelNames: ["channel", "outcome"] as const,
    registers: [registry],
  });
  const httpRateLimited = new client.Counter({ name: "http_rate_limited_total", help: "Requests answered 429 by the HTTP rate limits, by limit (api_auth, try, webhook_auth)", labelNames: ["limit"] as const, registers: [registry] });

  // Database-backed gauges, read together once per scrape (cached).
  let cached: { at: number; data: Promise<Snapshot> } | undefined;
  const snapshot = () => {
    if (!cached || Date.now() - cached.at > CACHE_MS) cached = { at: Date.now(), data: readSnapshot(prisma) };
    return cached.data;
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (s: Snapshot, g: client.Gauge<L>) => void) =>
    new client.Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        fill(await snapshot(), this);
      },
    });
  gauge("inbox_updates", "Platform deliveries in the durable inbox by channel and state (pending, failed = gave up, processed)", ["channel", "state"] as const, (s, g) => {
    for (const r of s.inbox) g.set({ channel: r.channel, state: r.state }, r.n);
  });
  gauge("inbox_oldest_pending_seconds", "Age of the oldest unprocessed delivery, by channel (0 when none)", ["channel"] as const, (s, g) => {
    for (const r of s.inboxAge) g.set({ channel: r.channel }, r.seconds);
  });
  gauge("outbound_messages", "Outbound queue by channel and state (queued, sending, sent, failed, …)", ["channel", "state"] as const, (s, g) => {
    for (const r of s.outbound) g.set({ channel: r.channel, state: r.state }, r.n);
  });
  gauge("outbound_sent_last_minute", "Messages sent in the last 60 s, by channel (÷60 = sends per second)", ["channel"] as const, (s, g) => {
    for (const r of s.sentLastMinute) g.set({ channel: r.channel }, r.n);
  });
  gauge("blocked_accounts", "Chat accounts that blocked the bot (sends suppressed), by channel", ["channel"] as const, (s, g) => {
    for (const r of s.blocked) g.set({ channel: r.channel }, r.n);
  });
  gauge("zalo_token_refresh_failing", "1 while the last Zalo OA token refresh failed", [] as const, (s, g) => g.set(s.tokenFailing ? 1 : 0));
  gauge("survey_invitations", "Satisfaction survey invitations by state", ["state"] as const, (s, g) => {
    for (const r of s.invitations) g.set({ state: r.state }, r.n);
  });
  gauge("survey_responses", "Satisfaction survey responses stored", [] as const, (s, g) => g.set(s.responses));
  gauge("unrecognised_messages", "Messages the bot did not understand, by whether an admin labelled them", ["labelled"] as const, (s, g) => {
    g.set({ labelled: "false" }, s.unrecognised.unlabelled);
    g.set({ labelled: "true" }, s.unrecognised.labelled);
  });
  return { registry, httpRequests, sendResults, rateLimited, importRows, webhookPoison, httpRateLimited };
}

interface Snapshot {
  inbox: { channel: string; state: string; n: number }[];
  inboxAge: { channel: string; seconds: number }[];
  outbound: { channel: string; state: string; n: number }[];
  sentLastMinute: { channel: string; n: number }[];
  blocked: { channel: string; n: number }[];
  tokenFailing: boolean;
  invitations: { state: string; n: number }[];
  responses: number;
  unrecognised: { labelled: number; unlabelled: number };
}

async function readSnapshot(prisma: PrismaClient): Promise<Snapshot> {
  const num = (v: unknown) => Number(v ?? 0);
  const [inbox, inboxAge, outbound, sent, blocked, token, invitations, responses, unrecognised] = await Promise.all([
    prisma.$queryRaw<{ channel: string; state: string; n: bigint }[]>`
      SELECT "channel"::text AS channel,
             CASE WHEN "processedAt" IS NOT NULL THEN 'processed' WHEN "attempts" >= ${MAX_ATTEMPTS} THEN 'failed' ELSE 'pending' END AS state,
             count(*) AS n
      FROM "InboundUpdate" GROUP BY 1, 2`,
    prisma.$queryRaw<{ channel: string; seconds: number }[]>`
      SELECT "channel"::text AS channel, EXTRACT(EPOCH FROM (now() - min("receivedAt")))::float8 AS seconds
      FROM "InboundUpdate" WHERE "processedAt" IS NULL AND "attempts" < ${MAX_ATTEMPTS} GROUP BY 1`,
    prisma.$queryRaw<{ channel: string; state: string; n: bigint }[]>`SELECT "channel"::text AS channel, "state"::text AS state, count(*) AS n FROM "OutboundMessage" GROUP BY 1, 2`,
    prisma.$queryRaw<{ channel: string; n: bigint }[]>`SELECT "channel"::text AS channel, count(*) AS n FROM "OutboundMessage" WHERE "state" = 'sent' AND "sentAt" > now() - interval '60 seconds' GROUP BY 1`,
    prisma.$queryRaw<{ channel: string; n: bigint }[]>`SELECT "channel"::text AS channel, count(*) AS n FROM "ChannelAccount" WHERE "blockedAt" IS NOT NULL GROUP BY 1`,
    prisma.channelToken.findFirst({ where: { channel: "zalo" }, select: { lastRefreshError: true } }),
    prisma.$queryRaw<{ state: string; n: bigint }[]>`SELECT "state"::text AS state, count(*) AS n FROM "SurveyInvitation" GROUP BY 1`,
    prisma.feedbackResponse.count(),
    prisma.$queryRaw<{ labelled: boolean; n: bigint }[]>`SELECT ("label" IS NOT NULL) AS labelled, count(*) AS n FROM "UnrecognisedMessage" GROUP BY 1`,
  ]);
  return {
    inbox: inbox.map((r) => ({ channel: r.channel, state: r.state, n: num(r.n) })),
    inboxAge: inboxAge.map((r) => ({ channel: r.channel, seconds: num(r.seconds) })),
    outbound: outbound.map((r) => ({ channel: r.channel, state: r.state, n: num(r.n) })),
    sentLastMinute: sent.map((r) => ({ channel: r.channel, n: num(r.n) })),
    blocked: blocked.map((r) => ({ channel: r.channel, n: num(r.n) })),
    tokenFailing: token?.lastRefreshError != null,
    invitations: invitations.map((r) => ({ state: r.state, n: num(r.n) })),
    responses,
    unrecognised: { labelled: num(unrecognised.find((r) => r.labelled)?.n), unlabelled: num(unrecognised.find((r) => !r.labelled)?.n) },
  };
}
