/**
 * Structured output and tool calls from a local model, over real HTTP with the official `openai` SDK: the test
 * model (whose greedy chat says a fixed sentence) answers valid JSON and valid tool calls only because constrained
 * decoding makes it; the tools model is the test model with a Hermes-style template that takes `tools`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { systemCaller } from "@/server/auth/caller";
import type { Db } from "@/server/db";
import { ingestArtifact, withStagingDir } from "@/server/modules/artifacts/service";
import { artifactStore } from "@/server/modules/artifacts/store";
import { writeTestModel } from "@/server/modules/inference/model-builder/test-model";
import { writeHermesTemplate } from "@/server/modules/inference/structured/hermes-template";
import { moveAlias } from "@/server/modules/models/aliases";
import { createModelInput, createVersionInput, moveAliasInput } from "@/server/modules/models/schemas";
import { createModel } from "@/server/modules/models/service";
import { createVersion } from "@/server/modules/models/versions";
import { withTestDatabase } from "@/server/testing/db";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-local-structured-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let gateway: StandaloneGateway;
let client: OpenAI;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});

/** The test model with a tools template and a 2048-token context, as `tool-demo` (production). */
async function registerToolModel(projectId: string) {
  const actor = { type: "system" as const, userId: null, keyId: null, label: "test" };
  const deps = { db, store: artifactStore(), caller: systemCaller(projectId, actor) };
  const artifact = await withStagingDir(async (dir) => {
    await writeTestModel(dir, { contextLength: 2048 });
    await writeHermesTemplate(dir);
    return ingestArtifact(deps, { stagingDir: dir });
  });
  const model = await createModel(
    deps,
    createModelInput.parse({ name: "tool-demo", provider: "onnx-local", task: "chat" }),
  );
  await createVersion(
    deps,
    createVersionInput.parse({ modelId: model.id, artifactId: artifact.id, defaultParams: { temperature: 0.9 } }),
  );
  await moveAlias(deps, moveAliasInput.parse({ modelId: model.id, alias: "production", version: 1, reason: "test" }));
}

beforeAll(async () => {
  const fixture = await gatewayFixture(db, "http://127.0.0.1:9");
  await registerToolModel(fixture.project.id);
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const logOf = (requestId: string | null | undefined) => sink.waitFor((e) => e.id === requestId);
const messages = [{ role: "user" as const, content: "Weather in Paris?" }];
const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string", maxLength: 10 }, unit: { type: "string", enum: ["c", "f"] } },
      required: ["city", "unit"],
      additionalProperties: false,
    },
    strict: true,
  },
};
const timeTool = {
  type: "function" as const,
  function: {
    name: "get_time",
    parameters: { type: "object", properties: { zone: { type: "string", maxLength: 6 } }, required: ["zone"] },
  },
};
const Args = z.object({ city: z.string().max(10), unit: z.enum(["c", "f"]) });

describe("response_format toward a local model", () => {
  it("parses a zod response_format: the answer is a valid object", async () => {
    const Weather = z.object({
      city: z.string().max(12),
      temperature: z.number(),
      unit: z.enum(["celsius", "fahrenheit"]),
      windy: z.boolean(),
      // zod writes the safe-integer range for .int() and exclusiveMinimum 0 for .positive(): both enforced.
      readings: z.number().int().positive(),
      offset: z.number().int(),
      // Formats and patterns (what zod writes for them) are written by the grammar too.
      station: z.uuid(),
      observedAt: z.iso.datetime({ precision: 0 }),
      contact: z.email().max(32),
      code: z.string().regex(/^[A-Z]{2}-\d{3}$/),
    });
    for (const seed of [1, 2, 3]) {
      const completion = await client.chat.completions.parse({
        model: "tool-demo",
        messages,
        response_format: zodResponseFormat(Weather, "weather"),
        max_completion_tokens: 300,
        seed,
      });
      const parsed = completion.choices[0].message.parsed;
      expect(Weather.safeParse(parsed).success, JSON.stringify(parsed)).toBe(true);
      expect(completion.choices[0].finish_reason).toBe("stop");
    }
  });

  it("json_object answers an object; a schema keyword it cannot enforce is a 400 naming it", async () => {
    const completion = await client.chat.completions.create({
      model: "tool-demo",
      messages,
      response_format: { type: "json_object" },
      max_tokens: 1500,
      seed: 1,
    });
    const content = completion.choices[0].message.content ?? "";
    if (completion.choices[0].finish_reason !== "length") expect(JSON.parse(content)).toBeTypeOf("object");
    expect(content.startsWith("{")).toBe(true);
    const error = await client.chat.completions
      .create({
        model: "tool-demo",
        messages,
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "x",
            strict: true,
            schema: { type: "object", properties: { a: { type: "string", pattern: "^(?=b)a" } } },
          },
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(
      "response_format.json_schema.schema.properties.a.pattern",
    );
  });
});

describe("tool calls from a local model", () => {
  it("tool_choice required, not streamed: message.tool_calls, content null, finish tool_calls, logged", async () => {
    const completion = await client.chat.completions.create({
      model: "tool-demo",
      messages,
      tools: [weatherTool, timeTool],
      tool_choice: "required",
      seed: 4,
    });
    const choice = completion.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    const calls = choice.message.tool_calls ?? [];
    expect(calls).toHaveLength(1);
    const call = calls[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call).toMatchObject({ type: "function", id: expect.stringMatching(/^call_/) });
    expect(["get_weather", "get_time"]).toContain(call.function.name);
    const args = JSON.parse(call.function.arguments);
    if (call.function.name === "get_weather") expect(Args.safeParse(args).success).toBe(true);
    else expect(typeof args.zone).toBe("string");
    const log = await logOf(completion.id.replace(/^chatcmpl-/, ""));
    expect(log).toMatchObject({ status: 200, finishReason: "tool_calls", toolNames: [call.function.name] });
  });

  it("a named function, streamed: OpenAI tool-call deltas, finish tool_calls, logged", async () => {
    const stream = await client.chat.completions.create({
      model: "tool-demo",
      messages,
      tools: [weatherTool, timeTool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      stream: true,
      seed: 5,
    });
    let id: string | null = null;
    let name = "";
    let args = "";
    let fragments = 0;
    let finish: string | null = null;
    let requestId = "";
    for await (const chunk of stream) {
      requestId = chunk.id;
      const choice = chunk.choices[0];
      if (!choice) continue;
      for (const delta of choice.delta.tool_calls ?? []) {
        expect(delta.index).toBe(0);
        id ??= delta.id ?? null;
        name += delta.function?.name ?? "";
        if (delta.function?.arguments) fragments++;
        args += delta.function?.arguments ?? "";
      }
      finish = choice.finish_reason ?? finish;
    }
    expect(id).toMatch(/^call_/);
    expect(name).toBe("get_weather");
    expect(Args.safeParse(JSON.parse(args)).success, args).toBe(true);
    // The arguments stream as the model writes them, not in one piece at the end.
    expect(fragments).toBeGreaterThan(3);
    expect(finish).toBe("tool_calls");
    const log = await logOf(requestId.replace(/^chatcmpl-/, ""));
    expect(log).toMatchObject({ status: 200, finishReason: "tool_calls", toolNames: ["get_weather"] });
  });

  it("a history with a call and its tool result is accepted; tool_choice naming no tool is a 400", async () => {
    const completion = await client.chat.completions.create({
      model: "tool-demo",
      messages: [
        ...messages,
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"temp":21}' },
      ],
      tools: [weatherTool],
      tool_choice: "none",
      max_tokens: 8,
    });
    expect(completion.choices[0].message.tool_calls ?? []).toHaveLength(0);
    const error = await client.chat.completions
      .create({
        model: "tool-demo",
        messages,
        tools: [weatherTool],
        tool_choice: { type: "function", function: { name: "nope" } },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, param: "tool_choice.function.name" });
  });
});
