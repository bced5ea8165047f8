import { describe, expect, it } from "vitest";
import { exampleFromRequest, type LoggedRequest } from "./request-examples";

const request = (overrides: Partial<LoggedRequest>): LoggedRequest => ({
  id: "r1",
  status: 200,
  model: "m",
  requestBody: { messages: [{ role: "user", content: "Hi" }] },
  responseBody: { text: "Hello", finishReason: "stop" },
  ...overrides,
});

describe("exampleFromRequest", () => {
  it("keeps the messages, appends the answer and the request id", () => {
    expect(
      exampleFromRequest(
        request({
          requestBody: {
            messages: [
              { role: "developer", content: "Be brief" },
              {
                role: "user",
                content: [
                  { type: "text", text: "a" },
                  { type: "text", text: "b" },
                ],
              },
            ],
          },
        }),
      ),
    ).toEqual({
      example: {
        messages: [
          { role: "system", content: "Be brief" },
          { role: "user", content: "a\nb" },
          { role: "assistant", content: "Hello" },
        ],
        metadata: { request_id: "r1", model: "m" },
      },
    });
  });

  it("reads completions prompts and Anthropic system prompts", () => {
    const completion = exampleFromRequest(request({ requestBody: { prompt: "Once upon" } }));
    expect(completion).toMatchObject({
      example: { messages: [{ role: "user", content: "Once upon" }, { role: "assistant" }] },
    });
    const anthropic = exampleFromRequest(
      request({ requestBody: { system: [{ type: "text", text: "Sys" }], messages: [{ role: "user", content: "Q" }] } }),
    );
    expect(anthropic).toMatchObject({
      example: { messages: [{ role: "system", content: "Sys" }, { role: "user" }, { role: "assistant" }] },
    });
  });

  it("refuses what a chat dataset cannot hold, saying why", () => {
    const why = (r: Partial<LoggedRequest>) => (exampleFromRequest(request(r)) as { refusal: string }).refusal;
    expect(why({ requestBody: null })).toMatch(/body was not logged/);
    expect(why({ status: 429 })).toBe("it failed (HTTP 429): there is no answer to keep");
    expect(why({ requestBody: { messages: [{ role: "tool", content: "x" }] } })).toMatch(/message 1 is a tool message/);
    expect(why({ requestBody: { messages: [{ role: "assistant", content: null, tool_calls: [] }] } })).toBe(
      "message 1 holds tool calls",
    );
    expect(why({ requestBody: { input: "responses API" } })).toMatch(/no messages or prompt/);
    expect(why({ responseBody: { text: "" } })).toBe("its logged answer has no text");
    expect(why({ requestBody: { messages: [{ role: "system", content: "only" }] } })).toBe("it has no user message");
  });
});
