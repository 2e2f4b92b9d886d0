// The survey's part of the conversation pipeline: its buttons (v:…, r:…) and the free-text
// comment it waits for right after an answer. Everything else passes on.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Handler } from "../conversation/turn.ts";
import { surveyInterceptor } from "./interceptor.ts";
import { SURVEY_POLICY } from "./policy.ts";

export function surveyHandler(prisma: PrismaClient): Handler {
  return async (turn, next) => {
    const input = turn.message.input;
    // Only survey buttons and plain text can be the survey's; a text the classifier read as a
    // clear request of its own is not taken as a comment.
    if (input.kind === "button" && turn.understanding.intent.kind !== "survey") return next();
    if (input.kind !== "button" && input.kind !== "text") return next();
    // A free-text comment is only taken right after a survey answer: without a recent one
    // (read with the account, no query here) the text is for the conversation.
    const last = turn.account.lastSurveyAnswerAt;
    if (input.kind === "text" && (last === null || turn.now.getTime() - last.getTime() > SURVEY_POLICY.commentWindowMs)) return next();
    const replies = await surveyInterceptor({
      prisma,
      channel: turn.channel,
      accountId: turn.account.id,
      citizenId: turn.account.citizenId,
      language: turn.lang,
      input,
      now: turn.now,
    });
    return replies ?? next();
  };
}
