import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StructuredOutputSpec } from "../constraint";
import { InferenceEngine } from "../engine";
import type { GenerateRequest } from "../generate";
import { DEMO_REPLY, writeTestModel } from "../model-builder";
import { ModelTokenizer, pickChatTemplate } from "../tokenizer";
import type { GenerationEvent } from "../types";
import { createConstraint } from ".";
import { writeHermesTemplate } from "./hermes-template";
import { detectToolFormat, type ParsedToolCall, ToolCallParser, type ToolCallPiece } from "./tool-format";

// The test model with a Hermes-style template: its greedy chat says a fixed reply, so only the constraint makes
// its output a tool call; the parser reads the call back as the gateway does.
let root: string;
let ref: { dir: string; key: string; name: string };
const engine = new InferenceEngine({ device: "cpu" });
const ajv = new Ajv2020({ strict: false });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-tools-"));
  const dir = path.join(root, "m");
  // Tools in the prompt are long in a byte-level vocabulary: a longer context than the default 512.
  await writeTestModel(dir, { contextLength: 2048 });
  await writeHermesTemplate(dir);
  ref = { dir, key: "tools-test", name: "tiny-tools" };
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

const weather = {
  name: "get_weather",
  description: "Weather in a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string", maxLength: 10 }, unit: { enum: ["c", "f"] } },
    required: ["city", "unit"],
    additionalProperties: false,
  },
};
const time = {
  name: "get_time",
  parameters: {
    type: "object",
    properties: { zone: { type: "string", maxLength: 6 }, h24: { type: "boolean" } },
    required: ["zone", "h24"],
    additionalProperties: false,
  },
};
const tools: Extract<StructuredOutputSpec, { type: "tool_call" }>["tools"] = [weather, time];

async function run(request: GenerateRequest) {
  let text = "";
  for await (const event of engine.generate(ref, request) as AsyncGenerator<GenerationEvent>) {
    if (event.type === "done") return { text, stats: event.stats };
    text += event.text;
  }
  throw new Error("no done event");
}

/** Text and complete calls of what the parser gave back. */
function summary(pieces: ToolCallPiece[]) {
  let text = "";
  const calls: ParsedToolCall[] = [];
  for (const piece of pieces)
    if (piece.kind === "text") text += piece.text;
    else if (piece.kind === "close") calls.push(piece.call);
  return { text, calls };
}

function parseCalls(output: string) {
  const parser = new ToolCallParser(detectToolFormat("tools <tool_call>")!);
  const { text: before, calls } = summary(parser.push(output));
  return { before, calls, rest: parser.flush() };
}

describe("tool calls by constrained decoding (Hermes format)", () => {
  const messages = [{ role: "user", content: "Weather in Paris?" }];
  for (const choice of ["required", { name: "get_time" }] as const) {
    it(`tool_choice ${JSON.stringify(choice)}, parallel_tool_calls false: one call, arguments valid for the tool, every seed`, async () => {
      const structured: StructuredOutputSpec = { type: "tool_call", tools, choice, parallel: false };
      for (let seed = 0; seed < 8; seed++) {
        const { text, stats } = await run({ messages, tools, structured, temperature: 1, seed, maxTokens: 200 });
        expect(stats.finishReason, text).not.toBe("length");
        expect(text, text).toMatch(/^<tool_call>\n\{"name":"get_(weather|time)","arguments":\{.*\}\}\n<\/tool_call>$/s);
        const { before, calls, rest } = parseCalls(text);
        expect([before, rest]).toEqual(["", ""]);
        expect(calls).toHaveLength(1);
        if (typeof choice === "object") expect(calls[0].name).toBe("get_time");
        const tool = tools.find((t) => t.name === calls[0].name)!;
        expect(ajv.validate(tool.parameters!, JSON.parse(calls[0].arguments)), calls[0].arguments).toBe(true);
      }
    });
  }

  it("tool_choice required with parallel calls: one to four blocks, each a valid call", async () => {
    const structured: StructuredOutputSpec = { type: "tool_call", tools, choice: "required" };
    const counts: number[] = [];
    for (let seed = 0; seed < 12; seed++) {
      const { text, stats } = await run({ messages, tools, structured, temperature: 1, seed, maxTokens: 400 });
      expect(stats.finishReason, text).not.toBe("length");
      expect(text, text).toMatch(/^<tool_call>\n.*\n<\/tool_call>$/s);
      const { before, calls, rest } = parseCalls(text);
      expect([before, rest], text).toEqual(["", ""]);
      expect(calls.length).toBeGreaterThanOrEqual(1);
      expect(calls.length).toBeLessThanOrEqual(4);
      for (const call of calls) {
        const tool = tools.find((t) => t.name === call.name)!;
        expect(ajv.validate(tool.parameters!, JSON.parse(call.arguments)), call.arguments).toBe(true);
      }
      counts.push(calls.length);
    }
    expect(counts).toHaveLength(12);
    // (This model prefers to end after a call; the walk below writes several through the same grammar.)
    const read = async (file: string) => JSON.parse(await readFile(path.join(ref.dir, file), "utf8"));
    const config = await read("tokenizer_config.json");
    const tokenizer = new ModelTokenizer(await read("tokenizer.json"), config, pickChatTemplate(config));
    const eos = tokenizer.tokenId("<|im_end|>")!;
    const constraint = createConstraint(structured, tokenizer, [eos])!;
    const block = (name: string, args: string) => `<tool_call>\n{"name":"${name}","arguments":${args}}\n</tool_call>`;
    const blocks = [
      block("get_weather", '{"city":"Paris","unit":"c"}'),
      block("get_time", '{"zone":"CET","h24":true}'),
      block("get_weather", '{"city":"Oslo","unit":"f"}'),
      block("get_time", '{"zone":"UTC","h24":false}'),
    ];
    for (const id of tokenizer.encode(blocks.join("\n"), false)) {
      const logits = new Float32Array(400);
      constraint.mask(logits);
      expect(logits[id], tokenizer.decode([id], false)).toBe(0);
      constraint.advance(id);
    }
    // Four calls is the most: only the end of the answer may follow.
    const logits = new Float32Array(400);
    constraint.mask(logits);
    expect([...logits.keys()].filter((id) => logits[id] === 0)).toEqual([eos]);
    expect(parseCalls(blocks.join("\n")).calls.map((c) => c.name)).toEqual([
      "get_weather",
      "get_time",
      "get_weather",
      "get_time",
    ]);
  });

  it("tools, a call and its result in the history render through the template", async () => {
    const dir = ref.dir;
    const read = async (file: string) => JSON.parse(await readFile(path.join(dir, file), "utf8"));
    const config = await read("tokenizer_config.json");
    const tokenizer = new ModelTokenizer(await read("tokenizer.json"), config, pickChatTemplate(config));
    const history = [
      ...messages,
      {
        role: "assistant",
        content: "",
        tool_calls: [
          { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: "tool", content: '{"temp":21}', tool_call_id: "call_1" },
    ];
    const prompt = tokenizer.formatChat(history, tools);
    expect(prompt).toContain(
      '{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city"',
    );
    expect(prompt).toContain('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>');
    expect(prompt).toContain('<tool_response>\n{"temp":21}\n</tool_response>');
    expect(prompt.endsWith("<|im_start|>assistant\n")).toBe(true);
    // And the engine takes that conversation.
    const { stats } = await run({ messages: history, tools, temperature: 0, maxTokens: 8 });
    expect(stats.tokensIn).toBe(tokenizer.encode(prompt, false).length);
  });

  it("tool_choice auto: free text stays free; once a call starts, the rest must be a valid call", async () => {
    const structured: StructuredOutputSpec = { type: "tool_call", tools, choice: "auto" };
    const { text } = await run({ messages, tools, structured, temperature: 0, maxTokens: 40 });
    expect(text).toBe(DEMO_REPLY);

    const read = async (file: string) => JSON.parse(await readFile(path.join(ref.dir, file), "utf8"));
    const config = await read("tokenizer_config.json");
    const tokenizer = new ModelTokenizer(await read("tokenizer.json"), config, pickChatTemplate(config));
    const eos = [tokenizer.tokenId("<|im_end|>")!];
    const constraint = createConstraint(structured, tokenizer, eos)!;
    const allowed = () => {
      const logits = new Float32Array(400);
      constraint.mask(logits);
      return [...logits.keys()].filter((id) => logits[id] === 0).map((id) => tokenizer.decode([id], false));
    };
    for (const id of tokenizer.encode("Let me look. <tool_call>", false)) constraint.advance(id);
    expect(allowed()).toEqual(["\n"]);
    for (const id of tokenizer.encode('\n{"name":"get_time","arguments":{"zone":"UTC","h24":', false))
      constraint.advance(id);
    expect(allowed().sort()).toEqual(["f", "t"]);
    for (const id of tokenizer.encode("true}}\n</tool_call>", false)) constraint.advance(id);
    // Parallel calls (the default): the answer may end, or a second call may follow on the next line.
    expect(constraint.complete).toBe(false);
    expect(allowed().sort()).toEqual(["\n", "<|im_end|>"]);
    for (const id of tokenizer.encode(
      '\n<tool_call>\n{"name":"get_weather","arguments":{"city":"Oslo","unit":"c"}}\n</tool_call>',
      false,
    ))
      constraint.advance(id);
    expect(allowed().sort()).toEqual(["\n", "<|im_end|>"]);

    // One call only: complete once it closes.
    const single = createConstraint({ ...structured, parallel: false }, tokenizer, eos)!;
    for (const id of tokenizer.encode(
      'Sure. <tool_call>\n{"name":"get_time","arguments":{"zone":"UTC","h24":true}}\n</tool_call>',
      false,
    ))
      single.advance(id);
    expect(single.complete).toBe(true);
  });

  it("the parser streams text, holds back a possible tag, streams arguments, gives back a cut call as text", () => {
    const parser = new ToolCallParser(detectToolFormat("tools <tool_call>")!);
    expect(parser.push("Let me check. <tool")).toEqual([{ kind: "text", text: "Let me check. " }]);
    expect(parser.push('_call>\n{"name":"f","argu')).toEqual([]);
    expect(parser.push('ments":{"a":"}"')).toEqual([
      { kind: "open", name: "f" },
      { kind: "args", text: '{"a":"}"' },
    ]);
    expect(parser.push(',"b":[1]}}\n</tool_call>')).toEqual([
      { kind: "args", text: ',"b":[1]}' },
      { kind: "close", call: { name: "f", arguments: '{"a":"}","b":[1]}' }, streamed: true },
    ]);
    // Arguments before the name: not streamable, given whole.
    expect(parser.push('<tool_call>\n{"arguments":{},"name":"g"}\n</tool_call>')).toEqual([
      { kind: "close", call: { name: "g", arguments: "{}" }, streamed: false },
    ]);
    expect(parser.push('<tool_call>\n{"argu')).toEqual([]);
    expect(parser.flush()).toBe('<tool_call>\n{"argu');
  });

  it("a Llama 3.1 style template is read as JSON calls with parameters", () => {
    const format = detectToolFormat('{{ tools }} {"name": function name, "parameters": dictionary} <|eot_id|>');
    expect(format?.name).toBe("llama3-json");
    const parser = new ToolCallParser(format!);
    expect(summary(parser.push('{"name":"f","parameters":{"x":"}"}}')).calls).toEqual([
      { name: "f", arguments: '{"x":"}"}' },
    ]);
    expect(detectToolFormat("{{ messages }}")).toBeNull();
  });
});
