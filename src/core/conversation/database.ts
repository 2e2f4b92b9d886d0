// The conversation over the database: the Prisma store, the shared understanding (the
// corpus model, or the learning loop's), and the survey's handler.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { CalendarStore } from "../calendar-store.ts";
import type { IdentityHasher } from "../identity.ts";
import { surveyHandler } from "../survey/handler.ts";
import { ConversationService } from "./index.ts";
import type { Understander } from "./inputs.ts";
import { PrismaConversationStore } from "./prisma-store.ts";
import { corpusUnderstanding } from "./understanding/service.ts";

export interface DatabaseConversationDeps {
  prisma: PrismaClient;
  calendar: CalendarStore;
  hasher: IdentityHasher;
  now?: () => Date;
  hotlineFallback?: string;
  portalUrl?: string;
  /** Default: the model trained on the corpus in the repository. */
  understander?: Understander;
  /** Include the survey's handler (default true). */
  survey?: boolean;
}

export function databaseConversation(d: DatabaseConversationDeps): ConversationService {
  return new ConversationService({
    store: new PrismaConversationStore(d.prisma, d.hasher),
    understander: d.understander ?? corpusUnderstanding(),
    calendar: () => d.calendar.get(),
    ...(d.now ? { now: d.now } : {}),
    ...(d.hotlineFallback ? { hotlineFallback: d.hotlineFallback } : {}),
    ...(d.portalUrl ? { portalUrl: d.portalUrl } : {}),
    pipeline: d.survey === false ? {} : { survey: surveyHandler(d.prisma) },
  });
}
