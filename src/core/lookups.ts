// What pickers choose from: units by name (as a tree), fields, procedures, the status codes
// and channels with their labels in both languages.
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { t } from "./i18n/index.ts";
import { CHAT_CHANNELS } from "./kernel/channels.ts";
import { FINISHED_STATUSES, STATUS_KEYS } from "./status.ts";

const label = z.object({ vi: z.string(), en: z.string() });

export const lookupsSchema = z
  .object({
    units: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        level: z.enum(["province", "district", "ward", "department"]),
        parentCode: z.string().nullable(),
        demo: z.boolean(),
      }),
    ),
    fields: z.array(z.object({ code: z.string(), name: z.string() })),
    procedures: z.array(z.object({ code: z.string(), name: z.string(), fieldCode: z.string().nullable(), durationDays: z.int().nullable() })),
    statuses: z.array(z.object({ code: z.int(), key: z.string(), label, finished: z.boolean() })),
    channels: z.array(z.string()),
    satisfactionTarget: z.number().describe("SATISFACTION_TARGET in percent"),
  })
  .meta({ id: "Lookups" });
export type Lookups = z.infer<typeof lookupsSchema>;

export async function lookups(prisma: PrismaClient, satisfactionTarget: number): Promise<Lookups> {
  const [units, fields, procedures] = await Promise.all([
    prisma.unit.findMany({ select: { id: true, code: true, name: true, level: true, parentId: true, demo: true }, orderBy: { code: "asc" } }),
    prisma.field.findMany({ select: { code: true, name: true }, orderBy: { code: "asc" } }),
    prisma.procedure.findMany({ select: { code: true, name: true, durationDays: true, field: { select: { code: true } } }, orderBy: { code: "asc" } }),
  ]);
  const codeOf = new Map(units.map((u) => [u.id, u.code]));
  return {
    units: units.map((u) => ({ code: u.code, name: u.name, level: u.level, parentCode: u.parentId === null ? null : (codeOf.get(u.parentId) ?? null), demo: u.demo })),
    fields,
    procedures: procedures.map((p) => ({ code: p.code, name: p.name, fieldCode: p.field?.code ?? null, durationDays: p.durationDays })),
    statuses: Object.entries(STATUS_KEYS).map(([code, key]) => ({
      code: Number(code),
      key,
      label: { vi: t("vi", `status-${key}`), en: t("en", `status-${key}`) },
      finished: FINISHED_STATUSES.has(Number(code)),
    })),
    channels: [...CHAT_CHANNELS],
    satisfactionTarget,
  };
}
