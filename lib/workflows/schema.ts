// The workflow document's shape (browser-safe): zod for the types, and the JSON Schema generated from it that
// ajv checks a parsed YAML document against (its errors carry the path we turn into a line and column).
// Steps' `with` and each trigger are checked apart (catalogue.ts, triggers below): one schema per step type gives
// a message about that type instead of a union's "must match one of".
import { z } from "zod";
import type { StepType } from "./catalogue";

const STEP_ID = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const INPUT_NAME = STEP_ID;

const inputSpec = z
  .object({
    type: z.enum(["string", "number", "boolean"]).default("string"),
    description: z.string().max(500).optional(),
    required: z.boolean().default(false),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .strict();

const duration = z.union([
  z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400),
  z.string().regex(/^\d+(\.\d+)?\s*(s|m|h|d)$/, "Must be seconds or a duration like 30s, 10m, 2h, 1d"),
]);

const stepSpec = z
  .object({
    uses: z.string().min(1),
    name: z.string().max(200).optional(),
    with: z.record(z.string(), z.unknown()).optional(),
    needs: z.union([z.string(), z.array(z.string()).max(50)]).optional(),
    if: z.union([z.string().max(2000), z.boolean()]).optional(),
    retry: z
      .object({
        attempts: z.number().int().min(1).max(10).default(1),
        backoffSeconds: z.number().min(0).max(3600).default(5),
      })
      .strict()
      .optional(),
    timeout: duration.optional(),
  })
  .strict();

export const documentSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Letters, digits, '.', '-' and '_', starting with a letter or digit"),
    description: z.string().max(2000).optional(),
    triggers: z
      .array(z.union([z.string(), z.record(z.string(), z.unknown())]))
      .max(20)
      .optional(),
    inputs: z.record(z.string().regex(INPUT_NAME), inputSpec).optional(),
    steps: z.record(z.string().regex(STEP_ID), stepSpec),
  })
  .strict();

/** The JSON Schema of the document (draft-07, as ajv 8 checks by default). */
export const documentJsonSchema = z.toJSONSchema(documentSchema, { target: "draft-7", io: "input" });

const subject = { prompt: z.string().min(1).max(200).optional(), model: z.string().min(1).max(200).optional() };
export const TRIGGER_SCHEMAS = {
  manual: z.union([z.null(), z.object({}).strict()]),
  schedule: z.object({ cron: z.string().min(1).max(200), timezone: z.string().max(100).default("UTC") }).strict(),
  new_version: z.object(subject).strict(),
  label_moved: z.object({ ...subject, label: z.string().min(1).max(100) }).strict(),
} as const;

export type TriggerSpec =
  | { type: "manual" }
  | { type: "schedule"; cron: string; timezone: string }
  | { type: "new_version"; prompt?: string; model?: string }
  | { type: "label_moved"; prompt?: string; model?: string; label: string };

export interface InputSpec {
  type: "string" | "number" | "boolean";
  description?: string;
  required: boolean;
  default?: string | number | boolean;
}

export interface StepDefinition {
  uses: StepType;
  name?: string;
  with: Record<string, unknown>;
  needs: string[];
  /** The condition's text (null: run when every need succeeded). */
  if: string | null;
  retry: { attempts: number; backoffSeconds: number };
  timeoutSeconds: number;
}

/** A validated document, as stored in workflow_versions.definition and run by the engine. */
export interface WorkflowDefinition {
  name: string;
  description: string;
  triggers: TriggerSpec[];
  inputs: Record<string, InputSpec>;
  steps: Record<string, StepDefinition>;
  /** Step ids in an order where every step comes after what it needs. */
  order: string[];
}

export const DEFAULT_STEP_TIMEOUT_SECONDS = 3600;

/** "10m" → 600; a number is seconds. */
export function durationSeconds(value: string | number): number {
  if (typeof value === "number") return value;
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(value.trim());
  if (!m) return Number.NaN;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as "s" | "m" | "h" | "d"];
  return Math.round(Number(m[1]) * unit);
}
