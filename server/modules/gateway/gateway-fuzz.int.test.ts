/**
 * Bad input never gets a 5xx from `/v1`: every endpoint (chat/completions,
 * completions, embeddings, messages, responses, models, stored responses) is
 * sent bodies shaped like its wire format and mutated at any depth (wrong
 * types, missing fields, huge strings, unicode, NUL bytes, lone surrogates,
 * version numbers past any column), and paths with malformed `%` escapes, over
 * real HTTP to the standalone gateway, upstreams faked on loopback. A 5xx
 * fails with the request that caused it. The seed is fixed (FUZZ_SEED explores others).
 */
import type { ServerResponse } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Db } from "@/server/db";
import {
  type FakeUpstream,
  type ReceivedRequest,
  sendJson,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import {
  describeRequest,
  FUZZ_SEED,
  fuzzedBody,
  fuzzedComponent,
  nastyString,
  type SchemaArbitraryOptions,
} from "@/server/testing/fuzz";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { reply } from "./testing/chat-upstream";
import { MemorySink } from "./testing/memory-sink";

const RUNS_PER_ENDPOINT = Number(process.env.FUZZ_RUNS ?? 120);

let db: Db;
let upstream: FakeUpstream;
let gateway: StandaloneGateway;
let key: string;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});

/** OpenAI chat/completions/embeddings, or Anthropic messages, whichever path the gateway called. */
function answer(req: ReceivedRequest, res: ServerResponse) {
  if (req.path.endsWith("/embeddings"))
    return sendJson(res, 200, {
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }],
      model: "m",
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
  if (req.path.endsWith("/messages"))
    return sendJson(res, 200, {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-x",
      content: [{ type: "text", text: "ok" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    });
  reply(req, res, ["o", "k"]);
}

const MODELS = [
  "fake-gpt",
  "fake-gpt@production",
  "fake-gpt:1",
  "fake-gpt@latest",
  "fake-embed",
  "fake-claude",
  "prompt:greeter@production",
  "prompt:greeter:1",
  "experiment:greeting",
];

beforeAll(async () => {
  upstream = await startFakeUpstream(answer);
  const { project, owner } = await makeProject(db, "Gateway fuzz");
  const caller = callerFor(db, owner.principal, project.id);
  key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  const register = async (name: string, provider: "openai-compatible" | "anthropic", task: "chat" | "embedding") => {
    const model = await caller.models.create({ name, provider, task });
    const endpointBaseUrl = provider === "anthropic" ? upstream.origin : `${upstream.origin}/v1`;
    await caller.models.createVersion({ modelId: model.id, endpointBaseUrl, upstreamModelId: "m" });
    return model;
  };
  const gpt = await register("fake-gpt", "openai-compatible", "chat");
  await caller.models.moveAlias({ modelId: gpt.id, alias: "production", version: 1 });
  await register("fake-embed", "openai-compatible", "embedding");
  await register("fake-claude", "anthropic", "chat");
  const greeter = await caller.prompts.create({
    name: "greeter",
    type: "chat",
    template: [{ role: "user", content: "Say hi to {{ name }}" }],
    config: { model: "fake-gpt@production" },
  });
  await caller.prompts.moveLabel({ promptId: greeter.promptId, label: "production", version: 1 });
  const experiment = await caller.experiments.create({
    name: "greeting",
    promptId: greeter.promptId,
    metrics: [{ name: "thumbs_up", kind: "rate" }],
    variants: [
      { key: "control", weight: 50, promptVersion: 1 },
      { key: "other", weight: 50, promptVersion: 1 },
    ],
  });
  await caller.experiments.start({ id: experiment.id });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

// The wire formats, as far as the fuzz needs them: JSON Schemas the generator fills in and then breaks.
const str = { type: "string" };
const text = { type: "object", required: ["type", "text"], properties: { type: { const: "text" }, text: str } };
const imagePart = {
  type: "object",
  properties: { type: { const: "image_url" }, image_url: { type: "object", properties: { url: str, detail: str } } },
};
const tool = {
  type: "object",
  properties: {
    type: { const: "function" },
    function: { type: "object", properties: { name: str, description: str, parameters: { type: "object" } } },
  },
};
const chatMessage = {
  type: "object",
  required: ["role", "content"],
  properties: {
    role: { enum: ["system", "developer", "user", "assistant", "tool"] },
    content: { anyOf: [str, { type: "array", items: { anyOf: [text, imagePart] } }, { type: "null" }] },
    name: str,
    tool_call_id: str,
  },
};
const common = {
  model: { anyOf: [{ enum: MODELS }, str] },
  stream: { type: "boolean" },
  temperature: { type: "number", minimum: 0, maximum: 2 },
  max_tokens: { type: "integer", minimum: 1, maximum: 50 },
  user: str,
  seed: { type: "integer" },
};
const BODIES: Record<string, Record<string, unknown>> = {
  "/v1/chat/completions": {
    type: "object",
    required: ["model", "messages"],
    properties: {
      ...common,
      messages: { type: "array", minItems: 1, items: chatMessage },
      n: { type: "integer", minimum: 1, maximum: 2 },
      tools: { type: "array", items: tool },
      tool_choice: { anyOf: [str, tool] },
      response_format: { type: "object", properties: { type: { enum: ["text", "json_object", "json_schema"] } } },
      stream_options: { type: "object", properties: { include_usage: { type: "boolean" } } },
      variables: { type: "object", properties: { name: str } },
      stop: { anyOf: [str, { type: "array", items: str }] },
    },
  },
  "/v1/completions": {
    type: "object",
    required: ["model", "prompt"],
    properties: { ...common, prompt: { anyOf: [str, { type: "array", items: str }] }, echo: { type: "boolean" } },
  },
  "/v1/embeddings": {
    type: "object",
    required: ["model", "input"],
    properties: {
      model: { anyOf: [{ enum: MODELS }, str] },
      input: { anyOf: [str, { type: "array", items: str }, { type: "array", items: { type: "integer" } }] },
      encoding_format: { enum: ["float", "base64"] },
      dimensions: { type: "integer" },
    },
  },
  "/v1/messages": {
    type: "object",
    required: ["model", "max_tokens", "messages"],
    properties: {
      ...common,
      system: { anyOf: [str, { type: "array", items: text }] },
      messages: {
        type: "array",
        minItems: 1,
        items: {
          type: "object",
          required: ["role", "content"],
          properties: {
            role: { enum: ["user", "assistant"] },
            content: { anyOf: [str, { type: "array", items: text }] },
          },
        },
      },
      top_k: { type: "integer" },
      metadata: { type: "object", properties: { user_id: str } },
    },
  },
  "/v1/responses": {
    type: "object",
    required: ["model", "input"],
    properties: {
      ...common,
      input: {
        anyOf: [
          str,
          {
            type: "array",
            items: {
              type: "object",
              properties: {
                role: { enum: ["user", "assistant", "system", "developer"] },
                content: { anyOf: [str, { type: "array", items: text }] },
                type: { enum: ["message", "function_call", "function_call_output"] },
              },
            },
          },
        ],
      },
      instructions: str,
      store: { type: "boolean" },
      previous_response_id: str,
      max_output_tokens: { type: "integer" },
    },
  },
};

const options: SchemaArbitraryOptions = { doc: {}, knownIds: [], knownNames: MODELS };

interface Generated {
  method: string;
  path: string;
  body?: string;
}

const reads: fc.Arbitrary<Generated> = fc
  .record({
    id: fuzzedComponent(fc.oneof(nastyString, fc.constantFrom(...MODELS))),
    kind: fc.constantFrom("model", "response", "input_items", "delete", "list", "unknown"),
    query: fc.option(fuzzedComponent(nastyString).map((v) => `?limit=${v}&after=${v}&order=${v}`)),
  })
  .map(({ id, kind, query }) => {
    const q = query ?? "";
    if (kind === "model") return { method: "GET", path: `/v1/models/${id}${q}` };
    if (kind === "response") return { method: "GET", path: `/v1/responses/${id}${q}` };
    if (kind === "input_items") return { method: "GET", path: `/v1/responses/${id}/input_items${q}` };
    if (kind === "delete") return { method: "DELETE", path: `/v1/responses/${id}` };
    if (kind === "list") return { method: "GET", path: `/v1/models${q}` };
    return { method: "POST", path: `/v1/${id}`, body: "{}" };
  });

async function send({ method, path, body }: Generated) {
  const response = await fetch(`${gateway.origin}${path}`, {
    method,
    body,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  });
  const text = await response.text();
  if (response.status >= 500)
    throw new Error(`${response.status} for ${describeRequest(method, path, body)}: ${text.slice(0, 300)}`);
}

describe("/v1: no bad input is answered with a 5xx", () => {
  for (const path of Object.keys(BODIES))
    it(`POST ${path}`, async () => {
      const generated = fuzzedBody(BODIES[path], options).map((body) => ({ method: "POST", path, body }));
      await fc.assert(fc.asyncProperty(generated, send), {
        numRuns: RUNS_PER_ENDPOINT,
        seed: FUZZ_SEED,
        endOnFailure: true,
      });
    });

  it("GET/DELETE /v1/models/{id}, /v1/responses/{id}[/input_items], malformed paths", async () => {
    await fc.assert(fc.asyncProperty(reads, send), {
      numRuns: RUNS_PER_ENDPOINT,
      seed: FUZZ_SEED,
      endOnFailure: true,
    });
  });
});
