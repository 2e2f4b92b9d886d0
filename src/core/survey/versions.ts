// Published survey versions. A version never changes once published (answers point at it),
// so parsed definitions are cached for the life of the process — by their stored content, not
// by row id, which a restored backup (or another database in the same process) may reuse.
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { isUniqueViolation } from "../dossiers.ts";
import { AppError } from "../errors.ts";
import { DEFAULT_SURVEY, parseDefinition, surveyDefinitionSchema, type SurveyDefinition } from "./definition.ts";

export interface SurveyVersionView {
  id: number;
  version: number;
  definition: SurveyDefinition;
  publishedAt: Date;
  publishedBy: string;
}

const cache = new Map<string, SurveyDefinition>();

function toView(row: { id: number; version: number; definition: unknown; publishedAt: Date; publishedBy: string }): SurveyVersionView {
  const key = JSON.stringify(row.definition);
  let def = cache.get(key);
  if (!def) {
    const parsed = surveyDefinitionSchema.safeParse(row.definition);
    // Only valid definitions are ever written; a broken row means someone edited the table.
    if (!parsed.success) throw new Error(`SurveyVersion ${row.version} in the database is not a valid survey definition`);
    def = parsed.data;
    if (cache.size > 100) cache.clear();
    cache.set(key, def);
  }
  return { id: row.id, version: row.version, definition: def, publishedAt: row.publishedAt, publishedBy: row.publishedBy };
}

/** The newest version; seeds version 1 (DEFAULT_SURVEY) when none exists. */
export async function currentSurvey(prisma: PrismaClient): Promise<SurveyVersionView> {
  const row = await prisma.surveyVersion.findFirst({ orderBy: { version: "desc" } });
  if (row) return toView(row);
  try {
    const created = await prisma.surveyVersion.create({ data: { version: 1, definition: parseDefinition(DEFAULT_SURVEY) as object, publishedBy: "system" } });
    return toView(created);
  } catch (err) {
    // Two first uses racing: the other one seeded it.
    if (isUniqueViolation(err)) return currentSurvey(prisma);
    throw err;
  }
}

export async function surveyById(prisma: PrismaClient, id: number): Promise<SurveyVersionView> {
  const row = await prisma.surveyVersion.findUnique({ where: { id } });
  if (!row) throw new AppError("not_found", `No survey version id ${id}`);
  return toView(row);
}

export async function listSurveys(prisma: PrismaClient): Promise<SurveyVersionView[]> {
  await currentSurvey(prisma);
  const rows = await prisma.surveyVersion.findMany({ orderBy: { version: "desc" } });
  return rows.map(toView);
}

/** All versions by id (a few rows; exports label answers with their own version's texts). */
export async function surveysById(prisma: PrismaClient): Promise<Map<number, SurveyVersionView>> {
  return new Map((await listSurveys(prisma)).map((v) => [v.id, v]));
}

/** Publishes the next version number; validated, audit-logged in the same transaction. */
export async function publishSurvey(prisma: PrismaClient, input: unknown, actor: string): Promise<SurveyVersionView> {
  const parsed = surveyDefinitionSchema.safeParse(input);
  if (!parsed.success)
    throw new AppError(
      "validation_failed",
      "Invalid survey definition",
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  await currentSurvey(prisma);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const row = await prisma.$transaction(async (tx) => {
        const last = await tx.surveyVersion.findFirst({ orderBy: { version: "desc" }, select: { version: true } });
        const version = (last?.version ?? 0) + 1;
        const created = await tx.surveyVersion.create({ data: { version, definition: parsed.data as object, publishedBy: actor } });
        await tx.auditLog.create({ data: { actor, action: "survey.publish", target: `survey:v${version}`, details: { questions: parsed.data.questions.map((q) => q.id) } } });
        return created;
      });
      return toView(row);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err; // a concurrent publish took the number: take the next
    }
  }
  throw new AppError("conflict", "Another survey version was published at the same time; try again");
}

export const surveyVersionSchema = z
  .object({
    version: z.int(),
    publishedAt: z.string(),
    publishedBy: z.string(),
    current: z.boolean(),
    definition: z.unknown(),
  })
  .meta({ id: "SurveyVersion" });

export function surveyJson(v: SurveyVersionView, currentVersion: number): z.infer<typeof surveyVersionSchema> {
  return { version: v.version, publishedAt: v.publishedAt.toISOString(), publishedBy: v.publishedBy, current: v.version === currentVersion, definition: v.definition };
}
