import { z } from "zod";

/** One chat turn. System turns are allowed anywhere; Anthropic gets them hoisted into `system`. */
const chatMessageSchema = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});

/** Sampling knobs shared by chat and legacy completions (provider-neutral names). */
const samplingSchema = z.object({
  model: z.string().min(1),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  maxTokens: z.number().int().positive().optional(),
  stop: z.array(z.string().min(1)).max(16).optional(),
  seed: z.number().int().optional(),
});

export const chatRequestSchema = samplingSchema.extend({
  messages: z.array(chatMessageSchema).min(1),
});

export const completionRequestSchema = samplingSchema.extend({
  prompt: z.string(),
});

const providerKindSchema = z.enum(["openai-compatible", "anthropic"]);

export const providerConfigSchema = z.object({
  kind: providerKindSchema,
  baseUrl: z.url({ protocol: /^https?$/ }),
  apiKey: z.string().min(1).optional(),
  defaultHeaders: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
  idleTimeoutMs: z.number().int().positive().optional(),
  defaultMaxTokens: z.number().int().positive().optional(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type CompletionRequest = z.infer<typeof completionRequestSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
