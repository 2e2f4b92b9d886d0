// The conversation as a pipeline: every input has become one intent (inputs.ts); these
// handlers, in this order, either answer it or pass it on. The fallback must be last.
import { clarify } from "./features/clarify.ts";
import { erase } from "./features/erase.ts";
import { fallback } from "./features/fallback.ts";
import { feedback } from "./features/feedback.ts";
import { greeting, thanks } from "./features/greeting.ts";
import { help } from "./features/help.ts";
import { language } from "./features/language.ts";
import { linking } from "./features/linking.ts";
import { notices } from "./features/notices.ts";
import { optOut } from "./features/opt-out.ts";
import { outOfScope } from "./features/out-of-scope.ts";
import { pending } from "./features/pending.ts";
import { status } from "./features/status.ts";
import { unlink } from "./features/unlink.ts";
import { withMenu, type Handler, type Turn } from "./turn.ts";
import type { Reply } from "./types.ts";

export interface PipelineOptions {
  /** The survey's part of the chat (its buttons, and the free-text comment it waits for). */
  survey?: Handler;
}

/** A survey button when the survey feature is not running: the button is stale. */
const noSurvey: Handler = async (turn, next) => (turn.understanding.intent.kind === "survey" ? [withMenu(turn, "button-invalid")] : next());

const invalidButton: Handler = async (turn, next) => (turn.understanding.intent.kind === "invalid_button" ? [withMenu(turn, "button-invalid")] : next());

export function conversationPipeline(opts: PipelineOptions = {}): Handler[] {
  return [
    invalidButton,
    pending, // answers to the pending question come first; a new request replaces it
    optOut, // "dừng" / "stop" is never taken as a survey comment
    opts.survey ?? noSurvey,
    linking, // codes, /start payloads, slip photos, "liên kết"
    clarify, // unsure → ask back; no idea → on to the fallback
    status,
    unlink,
    erase,
    language,
    notices,
    help, // help, menu, staff, hours, address
    greeting,
    thanks, // thanks, bye, and yes/no/cancel with nothing pending
    feedback,
    outOfScope,
    fallback, // must be last
  ];
}

/** Runs the handlers in order; each decides whether to answer or call next(). */
export function run(handlers: readonly Handler[], turn: Turn): Promise<Reply[]> {
  const at = (k: number): Promise<Reply[]> => {
    const h = handlers[k];
    if (!h) throw new Error("conversation pipeline: the last handler passed the turn on");
    return h(turn, () => at(k + 1));
  };
  return at(0);
}
