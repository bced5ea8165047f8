import {
  type CountTokens,
  countAssistantTokens,
  countExampleTokens,
  roughTokenCount,
} from "@/server/modules/guardrails/tokens";
import { exampleHash } from "./canonical";
import { DEFAULT_MAX_TOKENS_PER_EXAMPLE } from "./formats";
import { HashPrefixSet } from "./hashset";
import { type Distribution, IntHistogram } from "./histogram";
import type { DatasetIssue } from "./issues";
import type { ChatRole, DatasetExample } from "./types";

/** OpenAI's default-epoch heuristic, constants as in their cookbook. */
const EPOCH_HEURISTIC = {
  TARGET_EPOCHS: 3,
  MIN_TARGET_EXAMPLES: 100,
  MAX_TARGET_EXAMPLES: 25_000,
  MIN_DEFAULT_EPOCHS: 1,
  MAX_DEFAULT_EPOCHS: 25,
} as const;

/**
 * The epochs OpenAI picks by default for `n` training examples (cookbook):
 * 3, unless n·3 < 100 → min(25, ⌊100 / n⌋), or n·3 > 25,000 → max(1, ⌊25,000 / n⌋).
 * The cookbook divides with `//` (floor) in both branches; so does this.
 * n = 0 gives 25 (the limit of the first branch).
 */
export function defaultEpochs(n: number): number {
  const h = EPOCH_HEURISTIC;
  if (n <= 0) return h.MAX_DEFAULT_EPOCHS;
  if (n * h.TARGET_EPOCHS < h.MIN_TARGET_EXAMPLES) {
    return Math.min(h.MAX_DEFAULT_EPOCHS, Math.floor(h.MIN_TARGET_EXAMPLES / n));
  }
  if (n * h.TARGET_EPOCHS > h.MAX_TARGET_EXAMPLES) {
    return Math.max(h.MIN_DEFAULT_EPOCHS, Math.floor(h.MAX_TARGET_EXAMPLES / n));
  }
  return h.TARGET_EPOCHS;
}

export interface TrainingEstimate {
  examples: number;
  epochs: number;
  /** Σ min(cap, tokens) over examples: the tokens billed per epoch. */
  billingTokens: number;
  /** billingTokens × epochs. */
  trainingTokens: number;
  /** trainingTokens / 10⁶ × price, when a price was given (same currency as the price). */
  cost?: number;
}

export interface EstimateOptions {
  /** Default: {@link defaultEpochs} of the example count. */
  epochs?: number;
  /** Price per 1 M training tokens. */
  pricePerMillionTokens?: number;
}

export function estimateTraining(
  dataset: { examples: number; billingTokens: number },
  options: EstimateOptions = {},
): TrainingEstimate {
  const epochs = options.epochs ?? defaultEpochs(dataset.examples);
  const trainingTokens = dataset.billingTokens * epochs;
  const estimate: TrainingEstimate = {
    examples: dataset.examples,
    epochs,
    billingTokens: dataset.billingTokens,
    trainingTokens,
  };
  if (options.pricePerMillionTokens !== undefined) {
    estimate.cost = (trainingTokens / 1_000_000) * options.pricePerMillionTokens;
  }
  return estimate;
}

export interface DatasetStatsSnapshot {
  /** Examples added (duplicates included). */
  examples: number;
  uniqueExamples: number;
  /** Examples whose training content (example hash) was seen before. */
  duplicates: number;
  messages: number;
  /** Messages by role. */
  roles: Record<ChatRole, number>;
  messagesPerExample: Distribution;
  tokensPerExample: Distribution;
  assistantTokensPerExample: Distribution;
  totalTokens: number;
  /** Σ min(cap, tokens): what one epoch bills. */
  billingTokens: number;
  /** Examples over the cap (only when the validator keeps them: `tooManyTokens: "warning"`). */
  examplesOverCap: number;
  examplesMissingSystem: number;
  examplesMissingUser: number;
  /**
   * Lines rejected with `example_missing_assistant_message` (counted through
   * `addRejected`); a valid example always has an assistant message.
   */
  examplesMissingAssistant: number;
  /** Assistant messages with `weight: 0` (not trained on). */
  weightZeroMessages: number;
  /** Memory held by the duplicate index. */
  duplicateIndexBytes: number;
}

export interface StatsOptions {
  /** Used when `add` is not given the counts (default {@link roughTokenCount}). */
  countTokens?: CountTokens;
  /** The billing cap per example (default 16385). */
  maxTokensPerExample?: number;
}

/**
 * Dataset statistics in one pass and bounded memory: three fixed
 * histograms (~800 KiB, see {@link IntHistogram}) and the duplicate index
 * (16–32 bytes per distinct example, see {@link HashPrefixSet}).
 */
export class DatasetStats {
  private readonly countTokens: CountTokens;
  private readonly cap: number;
  private readonly seen = new HashPrefixSet();
  private readonly messagesHist = new IntHistogram();
  private readonly tokensHist = new IntHistogram();
  private readonly assistantHist = new IntHistogram();
  private readonly roles: Record<ChatRole, number> = { system: 0, user: 0, assistant: 0, function: 0 };
  private examples = 0;
  private duplicates = 0;
  private messages = 0;
  private totalTokens = 0;
  private billingTokens = 0;
  private overCap = 0;
  private missingSystem = 0;
  private missingUser = 0;
  private missingAssistant = 0;
  private weightZero = 0;

  constructor(options: StatsOptions = {}) {
    this.countTokens = options.countTokens ?? roughTokenCount;
    this.cap = options.maxTokensPerExample ?? DEFAULT_MAX_TOKENS_PER_EXAMPLE;
  }

  /**
   * Adds a valid example. Pass what the validator already computed (`tokens`,
   * `assistantTokens`, the example `hash`) to avoid recomputing it.
   * Returns whether the example duplicates an earlier one.
   */
  add(example: DatasetExample, known: { tokens?: number; assistantTokens?: number; hash?: string } = {}): boolean {
    const { messages } = example;
    const tokens = known.tokens ?? countExampleTokens(messages, this.countTokens);
    const assistantTokens = known.assistantTokens ?? countAssistantTokens(messages, this.countTokens);
    const duplicate = !this.seen.addHex(known.hash ?? exampleHash(example));
    this.examples++;
    if (duplicate) this.duplicates++;
    this.messages += messages.length;
    let system = false;
    let user = false;
    for (const m of messages) {
      this.roles[m.role]++;
      if (m.role === "system") system = true;
      else if (m.role === "user") user = true;
      else if (m.weight === 0) this.weightZero++;
    }
    if (!system) this.missingSystem++;
    if (!user) this.missingUser++;
    this.messagesHist.add(messages.length);
    this.tokensHist.add(tokens);
    this.assistantHist.add(assistantTokens);
    this.totalTokens += tokens;
    this.billingTokens += Math.min(this.cap, tokens);
    if (tokens > this.cap) this.overCap++;
    return duplicate;
  }

  /** Records a rejected line, for the counts that only rejected lines can have. */
  addRejected(errors: readonly DatasetIssue[]): void {
    if (errors.some((e) => e.code === "example_missing_assistant_message")) this.missingAssistant++;
  }

  snapshot(): DatasetStatsSnapshot {
    return {
      examples: this.examples,
      uniqueExamples: this.examples - this.duplicates,
      duplicates: this.duplicates,
      messages: this.messages,
      roles: { ...this.roles },
      messagesPerExample: this.messagesHist.summary(),
      tokensPerExample: this.tokensHist.summary(),
      assistantTokensPerExample: this.assistantHist.summary(),
      totalTokens: this.totalTokens,
      billingTokens: this.billingTokens,
      examplesOverCap: this.overCap,
      examplesMissingSystem: this.missingSystem,
      examplesMissingUser: this.missingUser,
      examplesMissingAssistant: this.missingAssistant,
      weightZeroMessages: this.weightZero,
      duplicateIndexBytes: this.seen.bytes,
    };
  }

  /** The training estimate for what was added so far (duplicates count: OpenAI trains on them). */
  estimate(options: EstimateOptions = {}): TrainingEstimate {
    return estimateTraining({ examples: this.examples, billingTokens: this.billingTokens }, options);
  }
}
