import type { AbortLike } from "@/server/abort";
import type { Manifest } from "@/server/modules/artifacts/blob-store";
import { artifactStore } from "@/server/modules/artifacts/store";
import type { StructuredOutputSpec } from "@/server/modules/inference/constraint";
import { getInferenceEngine } from "@/server/modules/inference/engine";
import type { GenerateRequest } from "@/server/modules/inference/generate";
import type { ChatMessage, ChatTool } from "@/server/modules/inference/types";
import type { GenerationParams } from "@/server/modules/models/schemas";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import { doneEvent, withToolCalls } from "./local-tools";

/** Structured output and tool calls (gateway chat): the constraint, the tools for the template, tool turns. */
export interface LocalGeneration {
  spec: StructuredOutputSpec | null;
  tools: ChatTool[] | null;
  /** The messages with their tool calls and tool results, when the history has any (replace input's). */
  messages: ChatMessage[] | null;
}

/**
 * Runs a stored ONNX artifact in-process: the artifact's files are
 * materialized once into a folder, the engine loads it once (keyed by the
 * artifact's hash) and queues requests per model.
 */
export async function* streamLocal(
  artifact: { sha256: string; manifest: unknown },
  input: GenerationInput,
  params: GenerationParams,
  signal: AbortLike,
  /**
   * The version's pick among the folder's decoders, the model's registry context length, the registry name
   * (`model@version`) health and the console show for the loaded model, and (chat toward a local model) tools,
   * tool turns and constrained output.
   */
  options: { variant?: string | null; contextLength?: number | null; name?: string } & Partial<LocalGeneration> = {},
): AsyncGenerator<EngineEvent> {
  const dir = await artifactStore().materialize(artifact.sha256, artifact.manifest as Manifest);
  const engine = getInferenceEngine();
  const ref = {
    dir,
    key: artifact.sha256,
    name: options.name ?? `artifact ${artifact.sha256.slice(0, 12)}`,
    variant: options.variant,
    contextLength: options.contextLength,
  };
  const extra = {
    ...(options.messages ? { messages: options.messages } : {}),
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.spec ? { structured: options.spec } : {}),
  };
  const events = engine.generate(ref, { ...input, ...extra, ...params, signal } as GenerateRequest);
  if (options.spec?.type === "tool_call") {
    // The model's tool-call convention is read from its chat template (loading is a no-op once loaded).
    yield* withToolCalls(events, (await engine.load(ref)).info.chatTemplate);
    return;
  }
  for await (const event of events) {
    if (event.type === "delta") {
      yield { type: "text", text: event.text };
      continue;
    }
    yield doneEvent(event.stats);
  }
}
