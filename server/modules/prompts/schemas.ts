import { z } from "zod";
import { MAX_VERSION, versionNumber } from "@/lib/version-number";
import { generationParams } from "@/server/modules/models/schemas";

const PROMPT_TYPES = ["text", "chat"] as const;

const promptName = z
  .string()
  .trim()
  .min(1, "Name is required")
  .max(200, "Name must be at most 200 characters")
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/,
    "Use letters, digits, '.', '_', '-' and '/' between folder names",
  );
export const labelName = z
  .string()
  .trim()
  .min(1, "Label is required")
  .max(40)
  .regex(/^[a-z0-9-]+$/, "Labels use lowercase letters, digits and '-'")
  .refine((l) => l !== "latest", "'latest' is implicit and cannot be set");

const chatMessageTemplate = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string().max(100_000),
});
/** text: one template string; chat: a list of role/content templates. */
const promptTemplate = z.union([
  z.string().max(200_000),
  z.array(chatMessageTemplate).min(1, "A chat prompt needs at least one message").max(50),
]);
export type PromptTemplate = z.infer<typeof promptTemplate>;

/** OpenAI Chat Completions' `tools`: checked loosely (a type, and a function's name as OpenAI requires it). */
const promptTool = z
  .looseObject({
    type: z.string().min(1, "A tool needs a type"),
    function: z
      .looseObject({
        name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "A function name is 1 to 64 letters, digits, '_' or '-'"),
      })
      .optional(),
  })
  .refine((tool) => tool.type !== "function" || tool.function !== undefined, {
    message: "A function tool needs a function with a name",
    path: ["function"],
  });
const promptResponseFormat = z.looseObject({ type: z.enum(["text", "json_object", "json_schema"]) });

export const promptConfig = z
  .object({
    /** A registry reference: name, name@alias or name@3. */
    model: z.string().max(200).optional(),
    params: generationParams.optional(),
    /** A JSON Schema: open-ended JSON by nature. */
    responseSchema: z.record(z.string(), z.json()).optional(),
    /**
     * Chat Completions fields sent with the prompt toward an OpenAI-compatible upstream; a field the request
     * itself carries wins over the prompt's (server/modules/gateway/README.md).
     */
    tools: z.array(promptTool).max(128).optional(),
    tool_choice: z.union([z.string().min(1), z.looseObject({ type: z.string() })]).optional(),
    response_format: promptResponseFormat.optional(),
  })
  .strict();
export type PromptConfig = z.infer<typeof promptConfig>;

export const createPromptInput = z.object({
  name: promptName,
  type: z.enum(PROMPT_TYPES),
  description: z.string().max(5000).default(""),
  tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  template: promptTemplate,
  config: promptConfig.default({}),
  commitMessage: z.string().max(1000).default("Initial version"),
});

export const createPromptVersionInput = z.object({
  promptId: z.string().uuid("promptId must be a UUID"),
  template: promptTemplate,
  config: promptConfig.default({}),
  commitMessage: z.string().max(1000).default(""),
});

export const moveLabelInput = z.object({
  promptId: z.string().uuid("promptId must be a UUID"),
  label: labelName,
  version: versionNumber,
  reason: z.string().max(500).default(""),
  /** Move despite the label's release policy (owners and admins; `reason` says why and is recorded). */
  overridePolicy: z.boolean().default(false),
});

export const protectLabelInput = z.object({
  promptId: z.string().uuid(),
  label: labelName,
  protected: z.boolean(),
});

/** Which version: a label (default `production`), an explicit version, or `latest`. */
export const promptSelector = z.object({
  name: promptName,
  label: z.string().max(40).optional(),
  version: z.coerce.number().int().min(1).max(MAX_VERSION, `version must be at most ${MAX_VERSION}`).optional(),
});

export const renderInput = promptSelector.extend({
  variables: z.record(z.string(), z.unknown()).default({}),
});

export const previewInput = z.object({
  type: z.enum(PROMPT_TYPES),
  template: promptTemplate,
  variables: z.record(z.string(), z.unknown()).default({}),
});

export const promptVersionOut = z.object({
  id: z.string(),
  version: z.number().int(),
  template: promptTemplate,
  config: promptConfig,
  variables: z.array(z.string()),
  commitMessage: z.string(),
  authorLabel: z.string(),
  createdAt: z.date(),
  labels: z.array(z.string()),
});

export const promptSummary = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(PROMPT_TYPES),
  description: z.string(),
  tags: z.array(z.string()),
  latestVersion: z.number().int().nullable(),
  labels: z.array(z.object({ name: z.string(), version: z.number().int(), protected: z.boolean() })),
  updatedAt: z.date(),
});

export const promptDetail = promptSummary.extend({ versions: z.array(promptVersionOut) });

export const compiledPrompt = z.object({
  /** The prompt's id, for writes that follow a fetch (e.g. the playground saving a new version). */
  promptId: z.string(),
  name: z.string(),
  type: z.enum(PROMPT_TYPES),
  version: z.number().int(),
  label: z.string().nullable(),
  template: promptTemplate,
  config: promptConfig,
  variables: z.array(z.string()),
  etag: z.string(),
});

export const labelEvent = z.object({
  id: z.string(),
  label: z.string(),
  fromVersion: z.number().int().nullable(),
  toVersion: z.number().int().nullable(),
  reason: z.string(),
  actorLabel: z.string(),
  createdAt: z.date(),
});
