// The Zalo OA access/refresh token pair, kept in ChannelToken (channel "zalo").
//
// Zalo's refresh token is single-use: refreshing returns a new pair and the old refresh
// token is dead. Losing the new refresh token (crash before storing it, or two refreshes
// racing with the same old one) locks the OA out until someone re-authorises it by hand.
// Hence:
//   - one refresh at a time per process (callers share one in-flight promise);
//   - across instances, the refresh runs inside a transaction holding the row lock
//     (SELECT … FOR UPDATE); whoever waited re-reads the row and reuses a pair that another
//     instance rotated meanwhile instead of spending the (now dead) refresh token again;
//   - the new pair is written (UPDATE … WHERE version = the version read) and committed
//     before the new access token is handed to anyone.
// A failed refresh is logged at error level (never with token values) and kept in
// lastRefreshError, which readinessCheck() reports on /readyz.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { ChannelToken, Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import type { Logger } from "../../logger.ts";
import { ZaloApiError, type AccessTokenSource } from "./client.ts";
import { parseJsonKeepingBigInts } from "./json.ts";

/** Refresh when the access token expires within this margin. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** An initial access token from the environment has an unknown age: trust it this long. */
export const INITIAL_ACCESS_TRUST_MS = 60 * 60_000;
/** After a failed refresh, callers get the same failure for this long instead of hammering OAuth. */
export const FAILED_REFRESH_BACKOFF_MS = 30_000;
/** Which refresh token the stored pair was seeded from (a hash, never the token). */
const SEED_SETTING_KEY = "zalo.token_seed";

export interface ZaloTokenStoreOptions {
  prisma: PrismaClient;
  logger: Logger;
  appId: string;
  /** ZALO_APP_SECRET, sent as the secret_key header of the OAuth call. */
  appSecret: string;
  /** ZALO_OAUTH_BASE, e.g. https://oauth.zaloapp.com */
  oauthBase: string;
  /** ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN: the pair used when nothing is stored yet. */
  initial: { accessToken?: string | undefined; refreshToken: string };
  /** OAuth request timeout (default 15 s). */
  timeoutMs?: number;
  now?: () => Date;
}

const oauthAnswer = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
});
const oauthError = z.looseObject({
  error: z.coerce.number().int(),
  error_name: z.string().optional(),
  error_reason: z.string().optional(),
  error_description: z.string().optional(),
  message: z.string().optional(),
});

export interface ReadinessResult {
  name: string;
  ok: boolean;
  detail?: string;
}

export class ZaloTokenStore implements AccessTokenSource {
  private readonly prisma: PrismaClient;
  private readonly log: Logger;
  private readonly now: () => Date;
  private cached: { accessToken: string; expiresAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  private failure: { error: Error; until: number } | undefined;
  private ensured: Promise<void> | undefined;

  constructor(private readonly opts: ZaloTokenStoreOptions) {
    this.prisma = opts.prisma;
    this.log = opts.logger.child({ component: "zalo-token" });
    this.now = opts.now ?? (() => new Date());
  }

  /** A usable access token; refreshes first when it expires within 5 minutes. */
  async getAccessToken(): Promise<string> {
    const now = this.now().getTime();
    if (this.cached && this.cached.expiresAt - now > REFRESH_MARGIN_MS) return this.cached.accessToken;
    const row = await this.read();
    if (row.accessToken && row.accessExpiresAt.getTime() - now > REFRESH_MARGIN_MS) {
      this.cached = { accessToken: row.accessToken, expiresAt: row.accessExpiresAt.getTime() };
      return row.accessToken;
    }
    return this.refresh("access token expires soon", row.accessToken);
  }

  /**
   * Rotate the pair, unless `rejected` (the token a caller saw fail or expire) has already
   * been replaced by another caller or instance, in which case the stored token is returned.
   * Concurrent calls in this process share one refresh.
   */
  refresh(reason: string, rejected?: string): Promise<string> {
    this.inFlight ??= this.refreshOnce(reason, rejected).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** For /readyz: fails while the last refresh failed (the OA cannot send once the token expires). */
  async readinessCheck(): Promise<ReadinessResult> {
    try {
      const row = await this.prisma.channelToken.findUnique({ where: { channel: "zalo" } });
      if (!row) return { name: "zalo-token", ok: true, detail: "no token stored yet (ZALO_* tokens are used on the first call)" };
      if (row.lastRefreshError) return { name: "zalo-token", ok: false, detail: `token refresh failed: ${row.lastRefreshError}` };
      const expired = row.accessExpiresAt.getTime() <= this.now().getTime();
      return {
        name: "zalo-token",
        ok: true,
        detail: expired ? "access token expired; refreshed on the next call" : `access token valid until ${row.accessExpiresAt.toISOString()}`,
      };
    } catch (err) {
      return { name: "zalo-token", ok: false, detail: `cannot read the token: ${(err as Error).message}` };
    }
  }

  private async read(): Promise<ChannelToken> {
    await this.ensureRow();
    return this.prisma.channelToken.findUniqueOrThrow({ where: { channel: "zalo" } });
  }

  /**
   * First use: store the pair from the environment. Later starts keep the stored (rotated)
   * pair, unless ZALO_REFRESH_TOKEN was changed since it was seeded: that means an operator
   * re-authorised the OA and put a new pair in the environment.
   */
  private ensureRow(): Promise<void> {
    this.ensured ??= this.seed().catch((err: unknown) => {
      this.ensured = undefined;
      throw err;
    });
    return this.ensured;
  }

  private async seed(): Promise<void> {
    const { initial } = this.opts;
    const seed = createHash("sha256").update(initial.refreshToken).digest("base64url");
    const envPair = () => ({
      accessToken: initial.accessToken ?? "",
      refreshToken: initial.refreshToken,
      // Without an access token (or with one of unknown age) the first calls refresh soon.
      accessExpiresAt: new Date(initial.accessToken ? this.now().getTime() + INITIAL_ACCESS_TRUST_MS : 0),
    });
    await this.prisma.channelToken.upsert({ where: { channel: "zalo" }, create: { channel: "zalo", ...envPair() }, update: {} });
    const stored = await this.prisma.setting.findUnique({ where: { key: SEED_SETTING_KEY } });
    if (!stored) {
      await this.prisma.setting.upsert({ where: { key: SEED_SETTING_KEY }, create: { key: SEED_SETTING_KEY, value: seed }, update: {} });
      return;
    }
    if (stored.value === seed) return;
    await this.prisma.$transaction(
      async (tx) => {
        await lockRow(tx);
        const again = await tx.setting.findUnique({ where: { key: SEED_SETTING_KEY } });
        if (again?.value === seed) return;
        await tx.channelToken.update({
          where: { channel: "zalo" },
          data: { ...envPair(), version: { increment: 1 }, lastRefreshError: null },
        });
        await tx.setting.update({ where: { key: SEED_SETTING_KEY }, data: { value: seed } });
      },
      { maxWait: 30_000, timeout: 30_000 },
    );
    this.cached = undefined;
    this.log.warn("ZALO_REFRESH_TOKEN changed since the stored pair was seeded: using the new pair from the environment");
  }

  private async refreshOnce(reason: string, rejected: string | undefined): Promise<string> {
    const now = this.now().getTime();
    if (this.failure && this.failure.until > now) throw this.failure.error;
    await this.ensureRow();
    const timeoutMs = this.opts.timeoutMs ?? 15_000;
    let rotated: { accessToken: string; expiresAt: Date } | undefined;
    let reused: string | undefined;
    try {
      await this.prisma.$transaction(
        async (tx) => {
          const row = await lockRow(tx);
          const fresh = row.accessToken !== "" && row.accessExpiresAt.getTime() - this.now().getTime() > REFRESH_MARGIN_MS;
          if (rejected !== undefined && fresh && row.accessToken !== rejected) {
            // Another caller or instance rotated while we waited for the lock.
            reused = row.accessToken;
            this.cached = { accessToken: row.accessToken, expiresAt: row.accessExpiresAt.getTime() };
            return;
          }
          const pair = await this.callOAuth(row.refreshToken, timeoutMs);
          const expiresAt = new Date(this.now().getTime() + pair.expires_in * 1000);
          // Zalo has already spent the old refresh token: the new one must be stored before
          // anything uses the new access token.
          const { count } = await tx.channelToken.updateMany({
            where: { channel: "zalo", version: row.version },
            data: {
              accessToken: pair.access_token,
              refreshToken: pair.refresh_token,
              accessExpiresAt: expiresAt,
              version: { increment: 1 },
              lastRefreshAt: this.now(),
              lastRefreshError: null,
            },
          });
          if (count !== 1) throw new Error("token row changed while locked (version mismatch)");
          rotated = { accessToken: pair.access_token, expiresAt };
        },
        // The OAuth call runs inside the transaction (the lock is what stops a second refresh).
        { maxWait: timeoutMs + 15_000, timeout: timeoutMs + 15_000 },
      );
    } catch (err) {
      await this.recordFailure(reason, err, rotated !== undefined);
      throw err;
    }
    if (reused !== undefined) {
      this.log.info({ reason }, "Zalo access token was already refreshed by another caller; reusing it");
      return reused;
    }
    const r = rotated!;
    this.cached = { accessToken: r.accessToken, expiresAt: r.expiresAt.getTime() };
    this.failure = undefined;
    this.log.info({ reason, expiresAt: r.expiresAt.toISOString() }, "Zalo access token refreshed");
    return r.accessToken;
  }

  private async callOAuth(refreshToken: string, timeoutMs: number): Promise<z.infer<typeof oauthAnswer>> {
    const endpoint = "oauth/access_token";
    const url = `${this.opts.oauthBase.replace(/\/+$/, "")}/v4/oa/access_token`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", secret_key: this.opts.appSecret },
        body: new URLSearchParams({ app_id: this.opts.appId, grant_type: "refresh_token", refresh_token: refreshToken }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new ZaloApiError(0, (err as Error)?.message ?? String(err), endpoint, "transport");
    }
    let json: unknown;
    try {
      json = parseJsonKeepingBigInts(text);
    } catch {
      json = undefined;
    }
    const ok = oauthAnswer.safeParse(json);
    if (ok.success && res.ok) return ok.data;
    const e = oauthError.safeParse(json);
    if (e.success && e.data.error !== 0) {
      const why = [e.data.error_name, e.data.error_reason ?? e.data.error_description ?? e.data.message].filter(Boolean).join(": ");
      throw new ZaloApiError(e.data.error, why || "refresh refused", endpoint, "refused", res.status);
    }
    throw new ZaloApiError(0, `HTTP ${res.status}, unexpected answer`, endpoint, res.status >= 500 ? "temporary" : "refused", res.status);
  }

  private async recordFailure(reason: string, err: unknown, rotatedButNotStored: boolean): Promise<void> {
    const message = describe(err);
    if (rotatedButNotStored) {
      // Zalo issued a new pair, but it could not be stored: the old refresh token is spent.
      this.log.error(
        { reason, error: message },
        "ZALO TOKEN LOST: Zalo rotated the token pair but it could not be stored; re-authorise the OA and set ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN",
      );
    } else {
      this.log.error({ reason, error: message }, "ZALO TOKEN REFRESH FAILED: the OA cannot send once the access token expires");
    }
    this.failure = { error: err instanceof Error ? err : new Error(message), until: this.now().getTime() + FAILED_REFRESH_BACKOFF_MS };
    this.cached = undefined;
    await this.prisma.channelToken
      .update({ where: { channel: "zalo" }, data: { lastRefreshError: `${this.now().toISOString()} ${message}`.slice(0, 500) } })
      .catch((e: unknown) => this.log.error({ error: describe(e) }, "could not record the failed Zalo token refresh"));
  }
}

type Tx = Prisma.TransactionClient;

/** Lock and read the zalo row inside a transaction (other refreshers wait here). */
async function lockRow(tx: Tx): Promise<ChannelToken> {
  const rows = await tx.$queryRaw<ChannelToken[]>`
    SELECT "channel"::text AS "channel", "accessToken", "refreshToken", "accessExpiresAt", "version",
           "lastRefreshError", "lastRefreshAt", "updatedAt"
    FROM "ChannelToken" WHERE "channel" = 'zalo'::"Channel" FOR UPDATE`;
  const row = rows[0];
  if (!row) throw new Error("the Zalo token row is missing");
  return { ...row, accessExpiresAt: new Date(row.accessExpiresAt), version: Number(row.version) };
}

function describe(err: unknown): string {
  if (err instanceof ZaloApiError) return `${err.endpoint}: ${err.code ? `error ${err.code} ` : ""}${err.zaloMessage}`;
  return err instanceof Error ? err.message : String(err);
}
