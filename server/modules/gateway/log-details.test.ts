import { describe, expect, it } from "vitest";
import { modalitiesOf, TEXT_ONLY } from "./modalities";
import { StreamedToolCalls, toolCallsOfAnswer } from "./tool-calls";

describe("modalitiesOf", () => {
  it("answers the shared text-only list for string contents", () => {
    const body = {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
    };
    expect(modalitiesOf(body)).toBe(TEXT_ONLY);
    expect(TEXT_ONLY).toEqual(["text"]);
    expect(Object.isFrozen(TEXT_ONLY)).toBe(true);
  });

  it("reads part types where content is an array, and notes offered tools", () => {
    const body = {
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this?" },
            { type: "image_url", image_url: { url: "x" } },
          ],
        },
        { role: "user", content: [{ type: "input_audio", input_audio: { data: "AA", format: "wav" } }] },
        { role: "user", content: [{ type: "file", file: { file_id: "f" } }, { type: "something_new" }] },
      ],
      tools: [{ type: "function", function: { name: "f" } }],
    };
    expect(modalitiesOf(body)).toEqual(["text", "image", "audio", "file", "tools"]);
    expect(modalitiesOf({ messages: [{ role: "user", content: [{ type: "image_url" }] }] })).toEqual(["image"]);
    expect(modalitiesOf({ messages: [{ role: "user", content: "x" }], functions: [{ name: "f" }] })).toEqual([
      "text",
      "tools",
    ]);
  });

  it("counts a prompt-supplied conversation (no messages) as text, and empty tool lists as none", () => {
    expect(modalitiesOf({ messages: [], tools: [] })).toEqual(["text"]);
  });
});

describe("toolCallsOfAnswer", () => {
  it("names every choice's tools once, in order, and keeps the first choice's calls", () => {
    const answer = {
      choices: [
        {
          index: 0,
          message: {
            content: null,
            tool_calls: [
              { id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
              { id: "c2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
              { id: "c3", type: "function", function: { name: "get_time", arguments: "{}" } },
            ],
          },
        },
        { index: 1, message: { tool_calls: [{ id: "d1", function: { name: "search", arguments: "{}" } }] } },
      ],
    };
    expect(toolCallsOfAnswer(answer)).toEqual({
      names: ["get_weather", "get_time", "search"],
      calls: [
        { id: "c1", name: "get_weather", arguments: '{"city":"Oslo"}' },
        { id: "c2", name: "get_weather", arguments: '{"city":"Rome"}' },
        { id: "c3", name: "get_time", arguments: "{}" },
      ],
    });
  });

  it("reads a legacy function_call, and answers null without tool calls", () => {
    const legacy = { choices: [{ message: { function_call: { name: "f", arguments: "{}" } } }] };
    expect(toolCallsOfAnswer(legacy)).toEqual({ names: ["f"], calls: [{ id: null, name: "f", arguments: "{}" }] });
    expect(toolCallsOfAnswer({ choices: [{ message: { content: "hi" } }] })).toBeNull();
  });
});

describe("StreamedToolCalls", () => {
  const chunk = (toolCalls: object[], index = 0) => ({ choices: [{ index, delta: { tool_calls: toolCalls } }] });

  it("reassembles calls from deltas split mid-JSON, in index order", () => {
    const calls = new StreamedToolCalls();
    calls.add(chunk([{ index: 0, id: "c1", type: "function", function: { name: "get_weather", arguments: "" } }]));
    calls.add(chunk([{ index: 0, function: { arguments: '{"ci' } }]));
    calls.add(chunk([{ index: 1, id: "c2", type: "function", function: { name: "get_time", arguments: '{"tz"' } }]));
    calls.add(chunk([{ index: 0, function: { arguments: 'ty":"Oslo"}' } }]));
    calls.add(chunk([{ index: 1, function: { name: "get_time", arguments: ':"UTC"}' } }]));
    calls.add(chunk([{ index: 0, id: "e1", function: { name: "search", arguments: "{}" } }], 1));
    expect(calls.names).toEqual(["get_weather", "get_time", "search"]);
    expect(calls.calls).toEqual([
      { id: "c1", name: "get_weather", arguments: '{"city":"Oslo"}' },
      { id: "c2", name: "get_time", arguments: '{"tz":"UTC"}' },
    ]);
  });
});
