// The hand-written check of a chat/completions answer must never accept what the zod schema refuses (it would
// skip the schema's error), and must take the ordinary answers (or it saves nothing).
import { describe, expect, it } from "vitest";
import { plainResponse, responseWire } from "./openai-compatible";

const ordinary = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "gpt-x",
  choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop", logprobs: null }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
};

const accepted: [string, unknown][] = [
  ["an ordinary chat answer", ordinary],
  ["a legacy completion", { choices: [{ text: "Hi", finish_reason: "length" }] }],
  ["null content and usage", { ...ordinary, usage: null, choices: [{ message: { content: null } }] }],
  ["no message at all", { choices: [{ finish_reason: null }] }],
  ["two choices", { choices: [{ text: "a" }, { message: null, text: null }] }],
];

const refused: [string, unknown][] = [
  ["not an object", "hello"],
  ["an array", [ordinary]],
  ["null", null],
  ["no choices", { ...ordinary, choices: [] }],
  ["choices not an array", { ...ordinary, choices: { 0: {} } }],
  ["a choice that is null", { choices: [null] }],
  ["a choice that is an array", { choices: [[]] }],
  ["content a number", { choices: [{ message: { content: 7 } }] }],
  ["a message that is an array", { choices: [{ message: [] }] }],
  ["text a number", { choices: [{ text: 1 }] }],
  ["finish_reason an object", { choices: [{ finish_reason: {} }] }],
  ["a later bad choice", { choices: [{ text: "a" }, { text: 2 }] }],
  ["id a number", { ...ordinary, id: 5 }],
  ["model an object", { ...ordinary, model: {} }],
  ["usage a string", { ...ordinary, usage: "3" }],
  ["negative tokens", { ...ordinary, usage: { prompt_tokens: -1, completion_tokens: 1 } }],
  ["fractional tokens", { ...ordinary, usage: { prompt_tokens: 1.5, completion_tokens: 1 } }],
  ["NaN tokens", { ...ordinary, usage: { prompt_tokens: Number.NaN, completion_tokens: 1 } }],
  ["tokens as strings", { ...ordinary, usage: { prompt_tokens: "3", completion_tokens: "1" } }],
  ["missing completion_tokens", { ...ordinary, usage: { prompt_tokens: 3 } }],
  ["unsafe integers", { ...ordinary, usage: { prompt_tokens: 2 ** 60, completion_tokens: 1 } }],
];

describe("plainResponse (the fast check of an OpenAI answer)", () => {
  it.each(accepted)("takes %s, as the schema does", (_, value) => {
    expect(responseWire.safeParse(value).success).toBe(true);
    expect(plainResponse(value)).toBe(value);
  });

  it.each(refused)("leaves %s to the schema, which refuses it", (_, value) => {
    expect(plainResponse(value)).toBeNull();
    expect(responseWire.safeParse(value).success).toBe(false);
  });
});
