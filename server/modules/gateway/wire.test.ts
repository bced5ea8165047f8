import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { normalizeModelRef } from "@/server/modules/models/refs";
import { timedOut } from "@/server/modules/providers/errors";
import { toGatewayFailure } from "./errors";
import { callerParams, openAIFinishReason } from "./generation";
import { chatCompletionBody } from "./schemas";
import { chunk, type ResponseMeta, switchyardHeaders } from "./wire";

const meta: ResponseMeta = {
  id: "chatcmpl-1",
  created: 1,
  model: "m@1",
  switchyard: {
    model: "m",
    modelVersion: "m@1",
    promptVersion: null,
    experiment: "тест ab",
    variant: "b",
    requestId: "r",
  },
};

describe("gateway wire format", () => {
  it("accepts both version spellings", () => {
    expect(normalizeModelRef("demo:3")).toBe("demo@3");
    expect(normalizeModelRef("org/demo@production")).toBe("org/demo@production");
    expect(normalizeModelRef("demo")).toBe("demo");
  });

  it("maps OpenAI sampling names to ours, preferring max_completion_tokens", () => {
    const body = chatCompletionBody.parse({
      model: "m",
      messages: [],
      temperature: 0,
      top_p: 0.5,
      max_tokens: 10,
      max_completion_tokens: 20,
      stop: "END",
      seed: 3,
      presence_penalty: 0,
    });
    expect(callerParams(body)).toEqual({ temperature: 0, topP: 0.5, maxTokens: 20, stop: ["END"], seed: 3 });
  });

  it("speaks OpenAI's finish reasons", () => {
    expect(["eos", "stop", "length", "abort", "other", "content_filter"].map(openAIFinishReason)).toEqual([
      "stop",
      "stop",
      "length",
      "stop",
      "stop",
      "content_filter",
    ]);
  });

  it("builds chunks: role first, an empty delta with the finish reason, usage with no choices", () => {
    expect(chunk("chat", meta, { text: "", role: true, withUsage: true }).choices[0]).toMatchObject({
      delta: { role: "assistant", content: "" },
      finish_reason: null,
    });
    const final = chunk("chat", meta, { finishReason: "stop", withUsage: false });
    expect(final.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(final).not.toHaveProperty("usage");
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    expect(chunk("text", meta, { usage, withUsage: true })).toMatchObject({ choices: [], usage });
  });

  it("maps an upstream timeout to 504 and keeps the table's status otherwise", () => {
    expect(toGatewayFailure(timedOut("api.example.com", 100, "waiting for headers"), "r").status).toBe(504);
    const busy = toGatewayFailure(new DomainError("BUSY", "model x is busy"), "r");
    expect(busy).toMatchObject({
      status: 429,
      code: "BUSY",
      body: { error: { type: "rate_limit_error", code: "busy" } },
    });
  });

  it("percent-encodes header values that are not printable ASCII", () => {
    const headers = new Headers(switchyardHeaders(meta.switchyard));
    expect(decodeURIComponent(headers.get("x-switchyard-experiment")!)).toBe("тест ab");
    expect(headers.get("x-switchyard-variant")).toBe("b");
  });
});
