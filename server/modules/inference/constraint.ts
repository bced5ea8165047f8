/**
 * A per-sequence rule over which tokens may come next (constrained decoding: JSON schema, tool calls). The sampler
 * asks it before each pick and tells it the token it picked; batching keeps one per sequence.
 */
export interface TokenConstraint {
  /** Sets every token that may not come next to -Infinity, in place. Called before penalties and sampling. */
  mask(logits: Float32Array): void;
  /** The token that was picked (always one `mask` allowed). */
  advance(token: number): void;
  /** Nothing more may follow: the sequence ends here (finish reason `stop`). */
  readonly complete: boolean;
}

/** What a request asks the output to be; `structured/` turns it into a TokenConstraint for one model. */
export type StructuredOutputSpec =
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: Record<string, unknown>; strict: boolean }
  | {
      type: "tool_call";
      /** The tools offered (OpenAI function shape); `required` = one of them, `{name}` = that one. */
      tools: { name: string; description?: string; parameters: Record<string, unknown>; strict?: boolean }[];
      choice: "auto" | "required" | { name: string };
      /**
       * Several calls in one answer (OpenAI's `parallel_tool_calls`, default true), where the model's format has
       * a way to write them (Hermes: one `<tool_call>` block after another); false: exactly one.
       */
      parallel?: boolean;
    };
