// The fixed catalogue of step types (browser-safe): each one's `with` (checked when the document is saved,
// `${{ }}` allowed wherever a value goes) and the outputs later steps may reference. The server's step
// implementations (server/modules/workflows/steps) check the resolved values again with the real services.
import { z } from "zod";
import { thresholdSchema } from "@/lib/evals/gate";
import { rolloutAnalysisSchema, rolloutStepSchema } from "@/lib/rollouts/schemas";

/** A `${{ ... }}` expression standing for a whole value. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression syntax, not a JS template
const expression = z.string().regex(/^\s*\$\{\{[\s\S]*\}\}\s*$/, "Must be a ${{ }} expression");
/** A value of the given type, or an expression resolved when the step runs. */
const v = <T extends z.ZodType>(schema: T) => z.union([schema, expression]);

const name = z.string().min(1).max(200);
const uuidOr = v(z.uuid());
const subject = { prompt: name.optional(), model: name.optional() };
const oneSubject = (w: { prompt?: unknown; model?: unknown }) => Boolean(w.prompt) !== Boolean(w.model);
const subjectMessage = { message: "Name exactly one of prompt or model" };

export const STEP_TYPES = {
  batch: {
    summary: "Runs a batch (an uploaded input file) through the gateway and waits for it",
    with: z
      .object({
        input_file_id: v(name),
        endpoint: z
          .enum(["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses"])
          .default("/v1/chat/completions"),
      })
      .strict(),
    outputs: ["batch_id", "status", "output_file_id", "error_file_id", "completed", "failed"],
  },
  eval: {
    summary: "Starts an eval run (targets x evaluators over a dataset version) and waits for it",
    with: z
      .object({
        name: v(z.string().max(200)).optional(),
        dataset_version_id: uuidOr,
        /** Each target: promptVersionId / modelVersionId / model as in an eval run, or `prompt: name@label|name@3`. */
        targets: z.array(z.record(z.string(), z.unknown())).min(1).max(20),
        evaluators: z.array(z.record(z.string(), z.unknown())).min(1).max(20),
        thresholds: z.array(thresholdSchema).max(50).optional(),
        baseline_target: v(z.number().int().min(0)).optional(),
        trials: v(z.number().int().min(1).max(20)).optional(),
        concurrency: v(z.number().int().min(1).max(64)).optional(),
        case_limit: v(z.number().int().positive()).optional(),
        budget_usd: v(z.number().positive()).optional(),
      })
      .strict(),
    outputs: ["run_id", "status", "gate_passed", "summary"],
  },
  gate: {
    summary: "Judges an eval run's results against thresholds; fails the step when the gate fails",
    with: z
      .object({
        run_id: uuidOr,
        /** Without thresholds the run's own verdict (its thresholds) decides. */
        thresholds: z.array(thresholdSchema).max(50).optional(),
        /** Position of the candidate target (default: the first that is not the baseline). */
        candidate_target: v(z.number().int().min(0)).optional(),
        continue_on_fail: z.boolean().default(false),
      })
      .strict(),
    outputs: ["passed", "checks"],
  },
  promote: {
    summary: "Moves a prompt label or a model alias to a version (release policies apply)",
    with: z
      .object({
        ...subject,
        label: v(name),
        version: v(z.number().int().positive()),
        reason: v(z.string().max(500)).optional(),
      })
      .strict()
      .refine(oneSubject, subjectMessage),
    outputs: ["from_version", "to_version"],
  },
  rollout: {
    summary: "Starts a canary rollout of a version on a label and (unless wait: false) waits for its end",
    with: z
      .object({
        ...subject,
        label: v(name).default("production"),
        version: v(z.number().int().positive()),
        steps: z.array(rolloutStepSchema).min(1).max(20),
        analysis: rolloutAnalysisSchema.optional(),
        webhook_url: v(z.url()).optional(),
        wait: z.boolean().default(true),
      })
      .strict()
      .refine(oneSubject, subjectMessage),
    outputs: ["rollout_id", "status", "reason"],
  },
  dataset_transform: {
    summary: "Derives a dataset version (mask, dedupe, filter, split, merge)",
    with: z
      .object({
        operation: z.enum(["mask", "dedupe", "filter", "split", "merge"]),
        version_id: uuidOr,
        options: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
    outputs: ["version_id", "version", "example_count"],
  },
  fine_tune: {
    summary: "Creates a fine-tuning job (its executor runs outside); optionally waits for it",
    with: z
      .object({
        base_model_version_id: uuidOr,
        dataset_version_id: uuidOr,
        hyperparameters: z.record(z.string(), z.unknown()).optional(),
        wait: z.boolean().default(false),
      })
      .strict(),
    outputs: ["fine_tune_id", "status", "result_model_version_id"],
  },
  export: {
    summary: "Exports a dataset version (or one split) as chat JSONL into a stored file",
    with: z
      .object({
        dataset_version_id: uuidOr,
        split: v(name).optional(),
        purpose: z.enum(["fine-tune", "batch", "user_data"]).default("fine-tune"),
      })
      .strict(),
    outputs: ["file_id", "bytes"],
  },
  webhook: {
    summary: "POSTs JSON to a URL (the upstream address policy applies)",
    with: z
      .object({
        url: v(z.url()),
        body: z.unknown().optional(),
        headers: z.record(z.string(), z.string()).optional(),
      })
      .strict(),
    outputs: ["status", "body"],
  },
} as const;

export type StepType = keyof typeof STEP_TYPES;

/** What `trigger.*` may name, by trigger type (all are present, null when not applicable). */
export const TRIGGER_FIELDS = [
  "type",
  "prompt",
  "prompt_id",
  "model",
  "model_id",
  "version",
  "version_id",
  "label",
  "from_version",
  "fire_time",
] as const;
