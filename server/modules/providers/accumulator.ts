import type { ChatDelta, ChatResult, FinishReason, Usage } from "./types";

/** Builds a ChatResult from a stream's pieces and measures TTFT and latency from construction. */
export class StreamAccumulator {
  private readonly startedAt = performance.now();
  private readonly parts: string[] = [];
  private ttftMs: number | null = null;
  id: string | null = null;
  model: string;
  rawFinishReason: string | null = null;
  usage: Usage | null = null;

  constructor(requestedModel: string) {
    this.model = requestedModel;
  }

  /** Records a text delta; returns the item to yield, or null for an empty delta. */
  text(delta: string | null | undefined): ChatDelta | null {
    if (!delta) return null;
    this.ttftMs ??= elapsedSince(this.startedAt);
    this.parts.push(delta);
    return { type: "text", text: delta };
  }

  done(mapFinish: (raw: string | null) => FinishReason): Extract<ChatDelta, { type: "done" }> {
    return { type: "done", ...this.result(mapFinish) };
  }

  result(mapFinish: (raw: string | null) => FinishReason): ChatResult {
    return {
      id: this.id,
      model: this.model,
      text: this.parts.join(""),
      finishReason: mapFinish(this.rawFinishReason),
      rawFinishReason: this.rawFinishReason,
      usage: this.usage,
      timing: { latencyMs: elapsedSince(this.startedAt), ttftMs: this.ttftMs },
    };
  }
}

const elapsedSince = (start: number) => Math.round((performance.now() - start) * 100) / 100;
