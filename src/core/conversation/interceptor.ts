// Features that own part of the chat (survey answers, announcement opt-out) plug into the
// conversation as interceptors: asked first, in order; the first non-null answer wins and
// the regular conversation is skipped for that message.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { ChannelName, Inbound, Reply } from "./types.ts";

export interface InterceptorInput {
  prisma: PrismaClient;
  channel: ChannelName;
  accountId: number;
  /** null until the account has linked a dossier. */
  citizenId: number | null;
  language: "vi" | "en";
  input: Inbound;
  now: Date;
}

export type ConversationInterceptor = (i: InterceptorInput) => Promise<Reply[] | null>;
