// The understanding in use: the corpus model, replaced without a restart when admins label
// messages in the learning loop (retraining yields to the event loop so chats keep flowing).
import { buildIntentModel, trainIntentModelAsync, type IntentModel, type LabelledText } from "./model.ts";
import { DEFAULT_POLICY, understandText, type DecisionPolicy, type Understanding } from "./understand.ts";

export class IntentUnderstanding {
  constructor(
    private model: IntentModel,
    private readonly policy: DecisionPolicy = DEFAULT_POLICY,
  ) {}

  understand(text: string): Understanding {
    return understandText(text, this.model, this.policy);
  }

  /** Retrains on the corpus plus `extra` and switches to the new model when done. */
  async retrain(extra: readonly LabelledText[]): Promise<void> {
    this.model = await trainIntentModelAsync(extra);
  }

  get trainedOn(): number {
    return this.model.size;
  }
}

let shared: IntentUnderstanding | undefined;

/** The model trained on the corpus in the repository, built once per process (cached on disk). */
export function corpusUnderstanding(): IntentUnderstanding {
  shared ??= new IntentUnderstanding(buildIntentModel());
  return shared;
}
