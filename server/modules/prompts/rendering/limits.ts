import { availableParallelism } from "node:os";
import { z } from "zod";

/**
 * What one template render may cost, and how many may run at once. Read from the environment once per process
 * (README "Configuration"); every value has a default safe for a shared server.
 */
const schema = z.object({
  /** Wall-clock time one render may take in its worker before the worker is terminated. */
  SWITCHYARD_TEMPLATE_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** Old-generation heap of one render worker; a render needing more ends that worker, not the server. */
  SWITCHYARD_TEMPLATE_MEMORY_MB: z.coerce.number().int().min(16).max(4096).default(128),
  /** Characters one render may produce (all messages of a chat prompt together). */
  SWITCHYARD_TEMPLATE_MAX_OUTPUT_CHARS: z.coerce.number().int().min(1000).max(100_000_000).default(1_000_000),
  /** Render worker threads. */
  SWITCHYARD_TEMPLATE_WORKERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(Math.max(2, Math.min(4, availableParallelism()))),
  /** Renders of one project waiting for a worker; past it the project gets BUSY (429) until some finish. */
  SWITCHYARD_TEMPLATE_QUEUE_PER_PROJECT: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** `variables` of one render: list items plus object fields, counted through every level. */
  SWITCHYARD_TEMPLATE_MAX_VARIABLE_ITEMS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  /** `variables`: nesting depth of lists and objects. */
  SWITCHYARD_TEMPLATE_MAX_VARIABLE_DEPTH: z.coerce.number().int().min(1).max(1000).default(16),
  /** `variables`: characters of all strings and keys together. */
  SWITCHYARD_TEMPLATE_MAX_VARIABLE_CHARS: z.coerce.number().int().min(1000).max(100_000_000).default(1_000_000),
});

export interface RenderLimits {
  timeoutMs: number;
  memoryMb: number;
  maxOutputChars: number;
  workers: number;
  queuePerProject: number;
  variables: { maxItems: number; maxDepth: number; maxChars: number };
}

let cached: RenderLimits | undefined;

/** The limits in force (parsed on first use; an invalid value stops the process with the variable's name). */
export function renderLimits(): RenderLimits {
  if (cached) return cached;
  const present = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  cached = {
    timeoutMs: e.SWITCHYARD_TEMPLATE_TIMEOUT_MS,
    memoryMb: e.SWITCHYARD_TEMPLATE_MEMORY_MB,
    maxOutputChars: e.SWITCHYARD_TEMPLATE_MAX_OUTPUT_CHARS,
    workers: e.SWITCHYARD_TEMPLATE_WORKERS,
    queuePerProject: e.SWITCHYARD_TEMPLATE_QUEUE_PER_PROJECT,
    variables: {
      maxItems: e.SWITCHYARD_TEMPLATE_MAX_VARIABLE_ITEMS,
      maxDepth: e.SWITCHYARD_TEMPLATE_MAX_VARIABLE_DEPTH,
      maxChars: e.SWITCHYARD_TEMPLATE_MAX_VARIABLE_CHARS,
    },
  };
  return cached;
}
