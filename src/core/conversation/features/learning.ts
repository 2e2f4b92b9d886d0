// The learning loop's intake: a text message the bot did not understand, or understood
// with low confidence, is kept with codes, phone and ID numbers and other digits masked,
// for admins to label (dashboard "Tin nhắn chưa hiểu").
import { maskForLearning } from "../understanding/entities.ts";
import type { Turn } from "../turn.ts";

export async function remember(turn: Turn, band: "clarify" | "fallback"): Promise<void> {
  const input = turn.message.input;
  if (input.kind !== "text") return;
  const text = maskForLearning(input.text).slice(0, 1000);
  if (!text.trim()) return;
  const u = turn.understanding;
  await turn.store.recordUnrecognised({
    accountId: turn.account.id,
    channel: turn.channel,
    text,
    guessed: u.label ?? u.intent.kind,
    confidence: u.confidence,
    band,
    language: u.lang,
    at: turn.now,
  });
}
