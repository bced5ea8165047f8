import { describe, expect, it } from "vitest";
import { draftFromRequestBody } from "@/server/modules/playground/from-request-body";

describe("draftFromRequestBody", () => {
  it("restores a Chat Completions conversation and its parameters, naming what it cannot replay", () => {
    const draft = draftFromRequestBody({
      model: "gpt",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Weather in [REDACTED]?" }, { type: "image_url" }] },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", function: { name: "get_weather" } }] },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
        { role: "assistant", content: "Sunny." },
        { role: "user", content: "Thanks" },
      ],
      temperature: 0.4,
      max_tokens: 50,
      top_p: 0.9,
      seed: 3,
      stop: "END",
      tools: [{ type: "function", function: { name: "get_weather" } }],
      response_format: { type: "json_object" },
    });
    expect(draft.input).toEqual({
      mode: "chat",
      system: "Be brief.",
      messages: [
        { role: "user", content: "Weather in [REDACTED]?" },
        { role: "assistant", content: "Sunny." },
        { role: "user", content: "Thanks" },
      ],
      prompt: "",
    });
    expect(draft.params).toEqual({ temperature: 0.4, maxTokens: 50, topP: 0.9, seed: 3, stop: ["END"] });
    expect(draft.leftOut).toEqual([
      "1 image, audio or file part",
      "1 tool call",
      "1 tool message",
      "tools: get_weather",
      "response_format",
    ]);
  });

  it("reads Anthropic's system field and stop_sequences, and leaves out a parameter the playground refuses", () => {
    const draft = draftFromRequestBody({
      system: [{ type: "text", text: "You are terse." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      max_tokens: 1024,
      temperature: 5,
      stop_sequences: ["\n\n"],
    });
    expect(draft.input).toMatchObject({ system: "You are terse.", messages: [{ role: "user", content: "Hi" }] });
    expect(draft.params).toEqual({ maxTokens: 1024, stop: ["\n\n"] });
    expect(draft.leftOut).toEqual(["temperature 5 (outside what the playground accepts)"]);
  });

  it("reads a completion's prompt as raw text, and a Responses input string as one user message", () => {
    expect(draftFromRequestBody({ prompt: "Once upon" }).input).toEqual({
      mode: "raw",
      system: "",
      messages: [],
      prompt: "Once upon",
    });
    expect(draftFromRequestBody({ input: "Hello", instructions: "Rhyme." }).input).toEqual({
      mode: "chat",
      system: "Rhyme.",
      messages: [{ role: "user", content: "Hello" }],
      prompt: "",
    });
  });

  it("answers no input for a body without a conversation", () => {
    expect(draftFromRequestBody({ model: "x" })).toEqual({ input: null, params: {}, leftOut: [] });
    expect(draftFromRequestBody("not an object")).toEqual({ input: null, params: {}, leftOut: [] });
  });
});
