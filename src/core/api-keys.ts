// API keys: shown once at creation, stored as SHA-256, compared by hash lookup.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.ts";

export type Role = "staff" | "analyst" | "admin";
export const ROLES: readonly Role[] = ["staff", "analyst", "admin"];

export interface Principal {
  role: Role;
  /** Used in the audit log: "api-key:12" or "bootstrap". */
  actor: string;
  name: string;
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export async function createApiKey(prisma: PrismaClient, role: Role, name: string, actor: string): Promise<{ id: number; key: string; prefix: string }> {
  const key = "dbk_" + randomBytes(30).toString("base64url");
  const prefix = key.slice(0, 10);
  const row = await prisma.apiKey.create({ data: { name, role, prefix, hash: hashKey(key) } });
  await prisma.auditLog.create({ data: { actor, action: "api_key.create", target: `api-key:${row.id}`, details: { role, name } } });
  return { id: row.id, key, prefix };
}

export async function revokeApiKey(prisma: PrismaClient, id: number, actor: string): Promise<boolean> {
  const { count } = await prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count) await prisma.auditLog.create({ data: { actor, action: "api_key.revoke", target: `api-key:${id}` } });
  return count > 0;
}

export class ApiKeyAuthenticator {
  private lastTouched = new Map<number, number>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly bootstrapKey?: string,
  ) {}

  async authenticate(key: string): Promise<Principal | null> {
    if (this.bootstrapKey && safeEqual(key, this.bootstrapKey)) return { role: "admin", actor: "bootstrap", name: "ADMIN_API_KEY" };
    if (!key.startsWith("dbk_") || key.length > 100) return null;
    const row = await this.prisma.apiKey.findUnique({ where: { hash: hashKey(key) } });
    if (!row || row.revokedAt) return null;
    // Record use at most once a minute per key, not on every request.
    const now = Date.now();
    if ((this.lastTouched.get(row.id) ?? 0) < now - 60_000) {
      this.lastTouched.set(row.id, now);
      await this.prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
    }
    return { role: row.role, actor: `api-key:${row.id}`, name: row.name };
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
