import { describe, expect, it } from "vitest";
import { parseResponsesRequest } from "./request";
import { fromChatCompletion, type ResponseHead } from "./response";
import { ResponseEvents, translateStream } from "./stream";

const head = (): ResponseHead => ({
  id: "resp_1",
  createdAt: 1,
  model: "m",
  echo: parseResponsesRequest({ model: "m", input: "x" }).echo,
});

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: "c",
  object: "chat.completion.chunk",
  model: "m@1",
  choices: [{ index: 0, delta, finish_reason: finish }],
});

/** Runs SSE text through translateStream, written in pieces cut every `cut` bytes. */
async function translate(sse: string, cut = 7, beforeEnd = async (_r: unknown) => {}) {
  const bytes = new TextEncoder().encode(sse);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += cut) controller.enqueue(bytes.slice(at, at + cut));
      controller.close();
    },
  });
  const text = await new Response(translateStream(body, new ResponseEvents(head()), beforeEnd)).text();
  return text
    .trim()
    .split("\n\n")
    .map((block) => {
      const [eventLine, dataLine] = block.split("\n");
      const data = JSON.parse(dataLine.slice("data: ".length));
      expect(eventLine).toBe(`event: ${data.type}`);
      return data;
    });
}

const sse = (chunks: unknown[], done = true) =>
  `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("")}${done ? "data: [DONE]\n\n" : ""}`;

describe("translateStream", () => {
  it("turns text chunks into the Responses events, numbered in order, and stores before completing", async () => {
    let stored: Record<string, unknown> | null = null;
    const events = await translate(
      sse([
        { ...chunk({ role: "assistant", content: "" }), switchyard: { requestId: "r" } },
        chunk({ content: "Hel" }),
        chunk({ content: "lo" }),
        chunk({}, "stop"),
        { ...chunk({}), choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
      ]),
      7,
      async (response) => {
        stored = response as Record<string, unknown>;
      },
    );
    expect(events.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0].response).toMatchObject({ status: "in_progress", model: "m@1", switchyard: { requestId: "r" } });
    expect(events[6]).toMatchObject({ text: "Hello", output_index: 0, content_index: 0 });
    const final = events.at(-1).response;
    expect(final).toMatchObject({
      status: "completed",
      output: [{ type: "message", status: "completed", content: [{ type: "output_text", text: "Hello" }] }],
      usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
    });
    expect(stored).toEqual(final);
  });

  it("streams tool-call argument fragments as received, after closing the text before them", async () => {
    const events = await translate(
      sse([
        chunk({ role: "assistant", content: "Checking." }),
        chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "w", arguments: "" } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Oslo"}' } }] }),
        chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "t", arguments: "{}" } }] }),
        chunk({}, "tool_calls"),
      ]),
      11,
    );
    const types = events.map((e) => e.type);
    expect(types.slice(2)).toEqual([
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.filter((e) => e.type === "response.function_call_arguments.delta").map((e) => e.delta)).toEqual([
      '{"ci',
      'ty":"Oslo"}',
      "{}",
    ]);
    expect(events.at(-1).response.output).toEqual([
      expect.objectContaining({ type: "message" }),
      expect.objectContaining({ type: "function_call", call_id: "call_a", name: "w", arguments: '{"city":"Oslo"}' }),
      expect.objectContaining({ type: "function_call", call_id: "call_b", name: "t", arguments: "{}" }),
    ]);
  });

  it("ends a cut answer as response.incomplete", async () => {
    const events = await translate(sse([chunk({ content: "Long" }), chunk({}, "length")]));
    expect(events.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    });
    expect(events.at(-2).item.status).toBe("incomplete");
  });

  it("turns an error chunk into an error event and response.failed, without storing", async () => {
    let stored = false;
    const events = await translate(
      sse(
        [chunk({ content: "Hi" }), { error: { message: "upstream broke", type: "api_error", code: "upstream" } }],
        false,
      ),
      5,
      async () => {
        stored = true;
      },
    );
    expect(events.slice(-2)).toMatchObject([
      { type: "error", message: "upstream broke", code: "upstream", error: { message: "upstream broke" } },
      { type: "response.failed", response: { status: "failed", error: { message: "upstream broke" } } },
    ]);
    expect(stored).toBe(false);
  });
});

describe("fromChatCompletion", () => {
  it("builds message and function_call items, usage details and the status", () => {
    const response = fromChatCompletion(
      {
        model: "m@2",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              tool_calls: [{ id: "call_1", type: "function", function: { name: "w", arguments: "{}" } }],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: {
          prompt_tokens: 10,
          completion_tokens: 4,
          total_tokens: 14,
          prompt_tokens_details: { cached_tokens: 6 },
          completion_tokens_details: { reasoning_tokens: 1 },
        },
        switchyard: { requestId: "r" },
      },
      head(),
    );
    expect(response).toMatchObject({
      id: "resp_1",
      object: "response",
      status: "completed",
      model: "m@2",
      output: [{ type: "function_call", call_id: "call_1", name: "w", arguments: "{}", status: "completed" }],
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 6 },
        output_tokens: 4,
        output_tokens_details: { reasoning_tokens: 1 },
        total_tokens: 14,
      },
      switchyard: { requestId: "r" },
    });
    expect((response.output as { id: string }[])[0].id).toMatch(/^fc_/);
  });

  it("marks a cut answer incomplete", () => {
    const response = fromChatCompletion(
      { choices: [{ message: { role: "assistant", content: "Lo" }, finish_reason: "length" }], usage: {} },
      head(),
    );
    expect(response).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      output: [
        { type: "message", status: "incomplete", content: [{ type: "output_text", text: "Lo", annotations: [] }] },
      ],
    });
  });
});
