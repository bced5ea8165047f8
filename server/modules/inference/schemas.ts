import { z } from "zod";

export const DEVICE_PREFERENCES = ["auto", "cpu", "cuda", "webgpu"] as const;

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const chatMessageSchema = z.object({
  role: z.string().min(1, "role is required"),
  content: z.string(),
  tool_calls: z.array(toolCallSchema).optional(),
  tool_call_id: z.string().optional(),
  name: z.string().optional(),
});

/** A tool the chat template is given (OpenAI's `function` object). */
const chatToolSchema = z.object({
  name: z.string().min(1).max(64),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

/** Sampling and stopping; every field optional (see the defaults in `GENERATION_DEFAULTS`). */
export const generationParamsSchema = z.object({
  maxTokens: z.number().int().min(1).max(32_768).optional(),
  /** 0 = greedy. */
  temperature: z.number().min(0).max(5).optional(),
  /** 0 = off. */
  topK: z.number().int().min(0).optional(),
  topP: z.number().gt(0).max(1).optional(),
  /** 1 = off; > 1 discourages tokens already in the prompt or output. */
  repetitionPenalty: z.number().gt(0).max(10).optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  stop: z.array(z.string().min(1, "a stop sequence cannot be empty")).max(8).optional(),
  /** false = recompute the whole sequence every step (tests, benchmarks). */
  useCache: z.boolean().optional(),
  /** Keep going past end-of-sequence (benchmarks). */
  ignoreEos: z.boolean().optional(),
});

export const generationInputSchema = z.union([
  z.object({ prompt: z.string(), messages: z.undefined().optional() }),
  z.object({
    messages: z.array(chatMessageSchema).min(1, "messages cannot be empty"),
    /** Offered to the chat template (tool calling); the template must take `tools`. */
    tools: z.array(chatToolSchema).optional(),
    prompt: z.undefined().optional(),
  }),
]);

export type GenerationParams = z.infer<typeof generationParamsSchema>;
export type GenerationInput = z.infer<typeof generationInputSchema>;

export const GENERATION_DEFAULTS = {
  maxTokens: 256,
  temperature: 1,
  topK: 0,
  topP: 1,
  repetitionPenalty: 1,
  stop: [] as string[],
  useCache: true,
  ignoreEos: false,
} as const;
