import { describe, expect, it } from "vitest";
import { NATIVE_ANTHROPIC_BODY } from "../types";
import { nativeBodyOf, nativeRequest } from "./native";

const native = {
  model: "claude-sonnet-4-5",
  max_tokens: 512,
  temperature: 0.3,
  top_k: 20,
  thinking: { type: "enabled", budget_tokens: 256 },
  messages: [{ role: "user", content: [{ type: "text", text: "Hi", cache_control: { type: "ephemeral" } }] }],
  stream: true,
};

describe("nativeRequest", () => {
  it("sends the client's Messages API request with the upstream's model and the call's stream flag", () => {
    const body = { model: "claude-x", messages: [], max_tokens: 512, temperature: 0.3, stream: true };
    expect(nativeRequest(body, native, false)).toEqual(Object.assign({}, native, { model: "claude-x", stream: false }));
  });

  it("takes the sampling fields the gateway changed on the chat body", () => {
    const body = {
      model: "claude-x",
      messages: [],
      max_completion_tokens: 64,
      temperature: 0,
      top_p: 0.5,
      stop: "END",
    };
    expect(nativeRequest(body, native, true)).toMatchObject({
      max_tokens: 64,
      temperature: 0,
      top_p: 0.5,
      stop_sequences: ["END"],
      top_k: 20,
      stream: true,
    });
  });

  it("finds the native request under its symbol only", () => {
    expect(nativeBodyOf({ model: "m" })).toBeNull();
    expect(nativeBodyOf({ model: "m", [NATIVE_ANTHROPIC_BODY]: native })).toBe(native);
  });
});
