// CI gate requests and answers (browser-safe): REST `POST /eval-gates`, `GET /eval-gates/{id}`; the CLI speaks them.
import { z } from "zod";
import { thresholdSchema } from "./gate";
import { gateVerdictSchema, targetSummarySchema } from "./summary";

const name = z.string().min(1).max(200);

export const createGateInput = z
  .object({
    /** The prompt whose version is gated (by name), or... */
    prompt: name.optional(),
    /** ...the model whose version is gated (by name). */
    modelName: name.optional(),
    /** The candidate version number. */
    candidate: z.number().int().positive("candidate must be a version number"),
    /**
     * What the candidate is compared with: a label or alias (default `production`), a version number as a string
     * ("3"), or "none". A label that is not set means no baseline: absolute thresholds only.
     */
    baseline: z.string().min(1).max(40).default("production"),
    /** A dataset version id, "name@version", or "name" (its newest version). */
    dataset: name,
    /** Evaluators by name, "name@version" for an exact version. */
    evaluators: z.array(name).min(1, "Name at least one evaluator").max(20),
    thresholds: z.array(thresholdSchema).min(1, "Give at least one threshold").max(50),
    /** For a prompt gate: the model both versions call instead of their own (a name, name@alias, name@3). */
    model: name.optional(),
    trials: z.number().int().min(1).max(20).default(1),
    concurrency: z.number().int().min(1).max(64).default(8),
    caseLimit: z.number().int().positive().optional(),
    budgetUsd: z.number().positive().optional(),
  })
  .strict()
  .refine((g) => (g.prompt ? 1 : 0) + (g.modelName ? 1 : 0) === 1, {
    message: "Gate either a prompt (prompt) or a model (modelName), not both",
    path: ["prompt"],
  });

const version = z.object({ label: z.string(), version: z.number(), id: z.string() });

export const createGateOut = z.object({
  id: z.string(),
  jobId: z.string(),
  candidate: version,
  /** null: nothing to compare with (absolute thresholds only; `notes` says why). */
  baseline: version.nullable(),
  datasetVersionId: z.string(),
  notes: z.array(z.string()),
  links: z.object({ console: z.string(), api: z.string() }),
});

export const gateViewOut = z.object({
  id: z.string(),
  name: z.string(),
  /** queued | running | completed | failed | cancelled */
  status: z.string(),
  doneCases: z.number(),
  totalCases: z.number(),
  error: z.string().nullable(),
  /** null until the run completes (or when it has no thresholds). */
  passed: z.boolean().nullable(),
  gate: gateVerdictSchema.nullable(),
  candidate: targetSummarySchema.nullable(),
  baseline: targetSummarySchema.nullable(),
  notes: z.array(z.string()),
  links: z.object({ console: z.string(), api: z.string() }),
});

export type GateView = z.infer<typeof gateViewOut>;
