// The conversation over the database: the Prisma store, the shared understanding (the
// corpus model, or the learning loop's), and the survey's handler.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { CalendarStore } from "../calendar-store.ts";
import type { IdentityHasher } from "../identity.ts";
import { normalizeShortSlipCode } from "../slip/short-code.ts";
import { looksLikeSlipToken } from "../slip/token.ts";
import type { SlipServices } from "../slip/index.ts";
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
  /** Receipt slips (tokens, short codes); absent: slips only fill in the code they carry. */
  slip?: Pick<SlipServices, "signer" | "proof" | "lookupShortCode">;
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
    ...(d.slip ? { slip: slipGateway(d.slip) } : {}),
  });
}

function slipGateway(s: Pick<SlipServices, "signer" | "proof" | "lookupShortCode">) {
  return {
    proof: s.proof,
    verify: (token: string, now: Date) => s.signer.verifySlipToken(token, now)?.code ?? null,
    looksLikeToken: looksLikeSlipToken,
    shortCodeOf: normalizeShortSlipCode,
    lookupShortCode: (code: string, now: Date) => s.lookupShortCode(code, now),
  };
}
