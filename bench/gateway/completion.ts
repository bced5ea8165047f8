/** The small chat completion the bench's fake servers answer with (upstream.ts, adapter-child.ts). */
export const benchCompletion = (id: string, model: string, created: number) => ({
  id,
  object: "chat.completion",
  created,
  model,
  choices: [{ index: 0, message: { role: "assistant", content: "Hello from the bench." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
});
