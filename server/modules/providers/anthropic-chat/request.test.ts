import { describe, expect, it } from "vitest";
import { toMessagesRequest } from "./request";
import { UntranslatableError } from "./untranslatable";

const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    strict: true,
  },
};

const translate = (body: Record<string, unknown>, stream = false) =>
  toMessagesRequest(Object.assign({ model: "claude-x" }, body), 4096, stream);

function refusal(body: Record<string, unknown>): UntranslatableError {
  try {
    translate(body);
  } catch (error) {
    if (error instanceof UntranslatableError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("toMessagesRequest", () => {
  it("moves system and developer messages to `system` in order and merges tool results into one user turn", () => {
    const request = translate({
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "Weather in Paris and Oslo?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "21 C" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "9 C" }] },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "user", content: "And?" },
      ],
      tools: [weather],
      tool_choice: "required",
      parallel_tool_calls: false,
      max_completion_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      stop: "END",
      user: "u-42",
      stream: true,
      stream_options: { include_usage: true },
      seed: 7,
      store: false,
    });
    expect(request).toEqual({
      model: "claude-x",
      max_tokens: 300,
      system: [
        { type: "text", text: "Be terse." },
        { type: "text", text: "Answer in French." },
      ],
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Paris and Oslo?" }] },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
            { type: "tool_use", id: "call_2", name: "get_weather", input: { city: "Oslo" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_1", content: "21 C" },
            { type: "tool_result", tool_use_id: "call_2", content: [{ type: "text", text: "9 C" }] },
            { type: "text", text: "And?" },
          ],
        },
      ],
      tools: [
        {
          name: "get_weather",
          description: "Weather in a city",
          input_schema: weather.function.parameters,
          strict: true,
        },
      ],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ["END"],
      metadata: { user_id: "u-42" },
      stream: false,
    });
  });

  it("sends one system message as a string, the provider's max_tokens by default, and `stream` as the call is made", () => {
    const request = translate(
      {
        messages: [
          { role: "system", content: "Be terse." },
          { role: "user", content: "Hi" },
          { role: "user", content: [{ type: "text", text: "there" }] },
        ],
        stream: false,
      },
      true,
    );
    expect(request).toEqual({
      model: "claude-x",
      max_tokens: 4096,
      system: "Be terse.",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Hi" },
            { type: "text", text: "there" },
          ],
        },
      ],
      stream: true,
    });
  });

  it("maps each tool_choice", () => {
    const choice = (tool_choice: unknown) =>
      translate({ messages: [{ role: "user", content: "x" }], tools: [weather], tool_choice }).tool_choice;
    expect(choice("auto")).toEqual({ type: "auto" });
    expect(choice("none")).toEqual({ type: "none" });
    expect(choice("required")).toEqual({ type: "any" });
    expect(choice({ type: "function", function: { name: "get_weather" } })).toEqual({
      type: "tool",
      name: "get_weather",
    });
    expect(choice(undefined)).toBeUndefined();
    const serial = translate({
      messages: [{ role: "user", content: "x" }],
      tools: [weather],
      parallel_tool_calls: false,
    });
    expect(serial.tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
  });

  it("turns image parts into base64 and URL image sources, and a PDF file part into a document", () => {
    const request = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "auto" } },
            { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0=" } },
          ],
        },
      ],
    });
    expect((request.messages as { content: unknown }[])[0].content).toEqual([
      { type: "text", text: "What is this?" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
      { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" } },
    ]);
  });

  it("sends a json_schema response_format as structured outputs (output_config.format)", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "string" } },
      required: ["a"],
      additionalProperties: false,
    };
    const request = translate({
      messages: [{ role: "user", content: "x" }],
      response_format: { type: "json_schema", json_schema: { name: "thing", strict: true, schema } },
    });
    expect(request.output_config).toEqual({ format: { type: "json_schema", schema } });
    expect(translate({ messages: [], response_format: { type: "text" } }).output_config).toBeUndefined();
  });

  it("keeps an assistant's text beside its tool calls and reads arguments '' as no arguments", () => {
    const request = translate({
      messages: [
        {
          role: "assistant",
          content: [{ type: "text", text: "Checking." }],
          tool_calls: [{ id: "c", type: "function", function: { name: "now", arguments: "" } }],
          refusal: null,
          annotations: [],
        },
      ],
    });
    expect(request.messages).toEqual([
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "c", name: "now", input: {} },
        ],
      },
    ]);
  });

  it("accepts the neutral value of a field it cannot translate", () => {
    expect(() =>
      translate({
        messages: [{ role: "user", content: "x" }],
        n: 1,
        logprobs: false,
        presence_penalty: 0,
        frequency_penalty: 0,
        logit_bias: {},
        modalities: ["text"],
        top_logprobs: null,
        metadata: { a: "b" },
        service_tier: "auto",
      }),
    ).not.toThrow();
  });

  it("refuses what changes the answer and cannot be translated, naming the field", () => {
    const user = [{ role: "user", content: "x" }];
    const cases: [Record<string, unknown>, string][] = [
      [{ n: 2 }, "n"],
      [{ logprobs: true }, "logprobs"],
      [{ top_logprobs: 3 }, "top_logprobs"],
      [{ logit_bias: { "50256": -100 } }, "logit_bias"],
      [{ presence_penalty: 0.5 }, "presence_penalty"],
      [{ frequency_penalty: 0.5 }, "frequency_penalty"],
      [{ audio: { voice: "alloy", format: "mp3" } }, "audio"],
      [{ prediction: { type: "content", content: "x" } }, "prediction"],
      [{ reasoning_effort: "low" }, "reasoning_effort"],
      [{ functions: [{ name: "f" }] }, "functions"],
      [{ top_k: 5 }, "top_k"],
      [{ temperature: 1.5 }, "temperature"],
      [{ response_format: { type: "json_object" } }, "response_format"],
      [{ tools: [{ type: "custom", custom: { name: "x" } }] }, "tools.0.type"],
      [{ tool_choice: { type: "allowed_tools" } }, "tool_choice"],
    ];
    for (const [extra, field] of cases)
      expect(refusal(Object.assign({ messages: user }, extra)).field, JSON.stringify(extra)).toBe(field);
  });

  it("refuses message content it cannot translate, naming its path", () => {
    const cases: [unknown[], string][] = [
      [
        [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] }],
        "messages.0.content.0.type",
      ],
      [
        [{ role: "user", content: [{ type: "file", file: { file_id: "file-1" } }] }],
        "messages.0.content.0.file.file_id",
      ],
      [
        [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } }] }],
        "messages.0.content.0.image_url.url",
      ],
      [
        [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png", detail: "low" } }] }],
        "messages.0.content.0.image_url.detail",
      ],
      [
        [
          { role: "user", content: "x" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: '{"city":' } }],
          },
        ],
        "messages.1.tool_calls.0.function.arguments",
      ],
      [[{ role: "function", name: "f", content: "x" }], "messages.0.role"],
      [[{ role: "user", name: "alice", content: "x" }], "messages.0.name"],
      [
        [{ role: "system", content: [{ type: "image_url", image_url: { url: "https://x" } }] }],
        "messages.0.content.0.type",
      ],
    ];
    for (const [messages, field] of cases) expect(refusal({ messages }).field, field).toBe(field);
  });
});
