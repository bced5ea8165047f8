/** The SSE events of one Messages API answer, as Anthropic streams it (ping and block boundaries included), for fakes. */

export interface StreamedAnswer {
  id?: string;
  model?: string;
  /** Text deltas of a first text block (none: no text block). */
  text?: string[];
  /** tool_use blocks after the text, each input as the `partial_json` fragments sent. */
  toolCalls?: { id: string; name: string; json: string[] }[];
  stopReason?: string;
  /** message_start's usage (the input side); message_delta reports `outputTokens`. */
  usage?: { input_tokens: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number };
  outputTokens?: number;
}

export function messageEvents(answer: StreamedAnswer): { event: string; data: unknown }[] {
  const events: { event: string; data: unknown }[] = [];
  const add = (type: string, fields: Record<string, unknown> = {}) =>
    events.push({ event: type, data: Object.assign({ type }, fields) });
  add("message_start", {
    message: {
      id: answer.id ?? "msg_01",
      type: "message",
      role: "assistant",
      model: answer.model ?? "claude-sonnet-4-5-20250929",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: Object.assign({ input_tokens: 0, output_tokens: 1 }, answer.usage),
    },
  });
  let index = 0;
  if (answer.text) {
    add("content_block_start", { index, content_block: { type: "text", text: "" } });
    add("ping");
    for (const text of answer.text) add("content_block_delta", { index, delta: { type: "text_delta", text } });
    add("content_block_stop", { index });
    index++;
  }
  for (const call of answer.toolCalls ?? []) {
    add("content_block_start", { index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } });
    for (const partial_json of ["", ...call.json])
      add("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } });
    add("content_block_stop", { index });
    index++;
  }
  add("message_delta", {
    delta: { stop_reason: answer.stopReason ?? "end_turn", stop_sequence: null },
    usage: { output_tokens: answer.outputTokens ?? 9 },
  });
  add("message_stop");
  return events;
}
