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
  structured?: LocalGeneration,
): AsyncGenerator<EngineEvent> {
  const dir = await artifactStore().materialize(artifact.sha256, artifact.manifest as Manifest);
  const engine = getInferenceEngine();
  const ref = { dir, key: artifact.sha256, name: `artifact ${artifact.sha256.slice(0, 12)}` };
  const extra = structured
    ? {
        ...(structured.messages ? { messages: structured.messages } : {}),
        ...(structured.tools ? { tools: structured.tools } : {}),
        ...(structured.spec ? { structured: structured.spec } : {}),
      }
    : {};
  const events = engine.generate(ref, { ...input, ...extra, ...params, signal } as GenerateRequest);
  if (structured?.spec?.type === "tool_call") {
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
