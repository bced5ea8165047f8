import { describe, expect, it } from "vitest";
import { AnthropicProvider, createProvider, OpenAICompatibleProvider } from "./index";

describe("createProvider", () => {
  it("builds the client for each kind", () => {
    const openai = createProvider({ kind: "openai-compatible", baseUrl: "http://127.0.0.1:8000/v1" });
    const anthropic = createProvider({ kind: "anthropic", baseUrl: "https://api.anthropic.com", apiKey: "k" });
    expect(openai).toBeInstanceOf(OpenAICompatibleProvider);
    expect(openai.complete).toBeTypeOf("function");
    expect(anthropic).toBeInstanceOf(AnthropicProvider);
    expect(anthropic.complete).toBeUndefined();
  });

  it("rejects a config it cannot use", () => {
    expect(() => createProvider({ kind: "anthropic", baseUrl: "not a url" })).toThrow(
      expect.objectContaining({ code: "VALIDATION" }),
    );
    expect(() => createProvider({ kind: "ollama" as "anthropic", baseUrl: "http://x" })).toThrow(
      expect.objectContaining({ code: "VALIDATION" }),
    );
  });
});
