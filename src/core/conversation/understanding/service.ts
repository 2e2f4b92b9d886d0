// The understanding in use: the corpus model, replaced without a restart when admins label
// messages in the learning loop (retraining yields to the event loop so chats keep flowing).
import { buildIntentModel, trainIntentModelAsync, type IntentModel, type LabelledText } from "./model.ts";
import { DEFAULT_POLICY, understandText, type DecisionPolicy, type Understanding } from "./understand.ts";

export class IntentUnderstanding {
  private current: IntentModel | undefined;

  /** `model`: the model, or how to build it on first use (so that a CLI command never trains). */
  constructor(
    private readonly model: IntentModel | (() => IntentModel),
    private readonly policy: DecisionPolicy = DEFAULT_POLICY,
  ) {}

  private get active(): IntentModel {
    this.current ??= typeof this.model === "function" ? this.model() : this.model;
    return this.current;
  }

  understand(text: string): Understanding {
    return understandText(text, this.active, this.policy);
  }

  /** Retrains on the corpus plus `extra` and switches to the new model when done. */
  async retrain(extra: readonly LabelledText[]): Promise<void> {
    this.current = await trainIntentModelAsync(extra);
  }

  get trainedOn(): number {
    return this.active.size;
  }
}

let shared: IntentUnderstanding | undefined;

/** The model trained on the corpus in the repository, built once per process (cached on disk). */
export function corpusUnderstanding(): IntentUnderstanding {
  shared ??= new IntentUnderstanding(buildIntentModel());
  return shared;
}
