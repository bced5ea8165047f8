/**
 * Fault tests for routed requests, through real HTTP with the official
 * `openai` SDK: fake upstreams that answer, fail (500), hang, refuse
 * connections and refuse the request (400); the route decides retries,
 * fallbacks, timeouts and cooldowns.
 */
import type { ServerResponse } from "node:http";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import {
  closedPort,
  type FakeUpstream,
  type ReceivedRequest,
  sendJson,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { staticRoutes } from "@/server/modules/routes/source";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { type StandaloneGateway, startStandaloneGateway } from "../standalone";
import { reply, replyHead } from "../testing/chat-upstream";
import { registerUpstreamModel } from "../testing/fixtures";
import { MemorySink } from "../testing/memory-sink";
import { DeploymentHealth, deploymentKey } from "./health";

let db: Db;
withTestDatabase((created) => {
  db = created;
});

const answer = (req: ReceivedRequest, res: ServerResponse, text: string) =>
  reply(req, res, [text], { usage: { prompt_tokens: 3, completion_tokens: 2 } });

/**
 * A route timeout that a healthy upstream on a loaded CI machine still beats (one that only hangs may use less:
 * nothing races it).
 */
const SLOW_MACHINE_MS = 2_000;
const fakes: Record<string, FakeUpstream> = {};
let flakyCalls = 0;
let flakyStreamCalls = 0;
let flakyPromptCalls = 0;
let key: string;
let ownerCaller: ReturnType<typeof callerFor>;
let gateway: StandaloneGateway;
let client: OpenAI;
let projectId: string;
const sink = new MemorySink();
const health = new DeploymentHealth();

beforeAll(async () => {
  fakes.a = await startFakeUpstream((req, res) => answer(req, res, "from A"));
  fakes.b = await startFakeUpstream((req, res) => answer(req, res, "from B"));
  fakes.down = await startFakeUpstream((_req, res) => sendJson(res, 500, { error: { message: "upstream exploded" } }));
  fakes.down2 = await startFakeUpstream((_req, res) => sendJson(res, 503, { error: { message: "overloaded" } }));
  fakes.hang = await startFakeUpstream(async (req) => {
    await req.completed; // never answers; ends when the gateway hangs up
  });
  fakes.stalls = await startFakeUpstream(async (req, res) => {
    replyHead(req, res, "first words ");
    await req.completed; // then silence
  });
  fakes.breaks = await startFakeUpstream((req, res) => {
    replyHead(req, res, "half an ans");
    setTimeout(() => res.destroy(), 20); // the connection is cut mid-answer
  });
  fakes.flaky = await startFakeUpstream((req, res) =>
    ++flakyCalls === 1
      ? sendJson(res, 500, { error: { message: "first call fails" } })
      : answer(req, res, "flaky recovered"),
  );
  fakes.flakyStream = await startFakeUpstream((req, res) =>
    ++flakyStreamCalls === 1 ? sendJson(res, 502, { error: { message: "bad gateway" } }) : answer(req, res, "streamed"),
  );
  fakes.flakyPrompt = await startFakeUpstream((req, res) =>
    ++flakyPromptCalls === 1 ? sendJson(res, 503, { error: { message: "warming up" } }) : answer(req, res, "prompted"),
  );
  fakes.refuses = await startFakeUpstream((_req, res) =>
    sendJson(res, 400, { error: { message: "max_tokens is too large" } }),
  );
  const refusedOrigin = `http://127.0.0.1:${await closedPort()}`;

  const { project, owner } = await makeProject(db, "Routing");
  projectId = project.id;
  const caller = callerFor(db, owner.principal, project.id);
  const origins: Record<string, string> = {
    "up-a": fakes.a.origin,
    "up-b": fakes.b.origin,
    "up-down": fakes.down.origin,
    "up-down2": fakes.down2.origin,
    "up-hang": fakes.hang.origin,
    "up-flaky": fakes.flaky.origin,
    "up-flaky-stream": fakes.flakyStream.origin,
    "up-refuses": fakes.refuses.origin,
    "up-refused": refusedOrigin,
    "up-stalls": fakes.stalls.origin,
    "up-breaks": fakes.breaks.origin,
    "up-flaky-prompt": fakes.flakyPrompt.origin,
  };
  for (const [name, origin] of Object.entries(origins)) await registerUpstreamModel(caller, name, origin);
  key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  ownerCaller = caller;

  const fast = { backoffMs: 5, maxBackoffMs: 20 };
  const routes = staticRoutes({
    "retry-bot": { deployments: [{ model: "up-flaky" }], retries: { attempts: 2, ...fast } },
    "stream-bot": { deployments: [{ model: "up-flaky-stream" }], retries: { attempts: 1, ...fast } },
    "fallback-bot": {
      deployments: [{ model: "up-down" }, { model: "up-refused" }],
      retries: { attempts: 1, ...fast },
      fallbacks: ["up-down2", "up-b"],
    },
    // weight 0: a standby, tried only after the weighted ones. The limit is the route's, so the standby's whole
    // answer (and up-stalls' first token) must come within it too: generous, or a loaded machine times them out.
    "hang-bot": {
      deployments: [
        { model: "up-hang", weight: 1 },
        { model: "up-a", weight: 0 },
      ],
      retries: { attempts: 0 },
      timeoutMs: SLOW_MACHINE_MS,
    },
    "stall-bot": { deployments: [{ model: "up-stalls" }], timeoutMs: SLOW_MACHINE_MS },
    "midway-bot": {
      deployments: [
        { model: "up-breaks", weight: 1 },
        { model: "up-b", weight: 0 },
      ],
      retries: { attempts: 0 },
    },
    "hang-only": { deployments: [{ model: "up-hang" }], retries: { attempts: 1, ...fast }, timeoutMs: 200 },
    // Long limits: only the client's leaving ends these.
    "patient-bot": { deployments: [{ model: "up-hang" }], retries: { attempts: 0 }, timeoutMs: 60_000 },
    "patient-stream": { deployments: [{ model: "up-stalls" }], retries: { attempts: 0 }, timeoutMs: 60_000 },
    "cooldown-bot": {
      deployments: [
        { model: "up-down@1", weight: 1 },
        { model: "up-b", weight: 0 },
      ],
      retries: { attempts: 0 },
      cooldown: { failures: 2, seconds: 60 },
    },
    "split-bot": {
      deployments: [
        { model: "up-a", weight: 3 },
        { model: "up-b", weight: 1 },
      ],
    },
    "strict-bot": { deployments: [{ model: "up-refuses" }], retries: { attempts: 3, ...fast }, fallbacks: ["up-a"] },
    // No deployments: the requested model itself, with the route's retries.
    "up-flaky-stream@1": { retries: { attempts: 0 } },
  });
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink,
    promptCache: null,
    responseCache: null,
    routes,
    routeHealth: health,
  });
  client = new OpenAI({ apiKey: key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all(Object.values(fakes).map((f) => f.close()));
});

const ask = (model: string) =>
  client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).withResponse();
const logOf = (id: string | null) => sink.waitFor((e) => e.id === id);
const served = (data: unknown) => (data as { switchyard: { deployment?: string; attempts?: number } }).switchyard;

describe("the client going away", () => {
  it("closes the upstream call of a routed request still waiting for its answer, and logs a 499", async () => {
    const before = fakes.hang.requests.length;
    const gone = new AbortController();
    const pending = client.chat.completions
      .create({ model: "patient-bot", messages: [{ role: "user", content: "hi" }] }, { signal: gone.signal })
      .catch((error: unknown) => error);
    // Leaves once the upstream has the request (however long the gateway took to send it on).
    const upstreamCall = await fakes.hang.received(before);
    gone.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(await upstreamCall.completed).toBe(false);
    const entry = await sink.waitFor((e) => e.requestedModel === "patient-bot");
    expect(entry).toMatchObject({ status: 499, errorCode: "CLIENT_CLOSED", stream: false });
    expect(sink.byId(entry.id)).toHaveLength(1);
  });

  it("closes the upstream call of a routed stream the client stopped reading, and logs a 499", async () => {
    const before = fakes.stalls.requests.length;
    const stream = await client.chat.completions.create({
      model: "patient-stream",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let requestId = "";
    for await (const chunk of stream) {
      requestId = (chunk as unknown as { switchyard: { requestId: string } }).switchyard.requestId;
      break; // leaves: the SDK closes the connection
    }
    expect(await fakes.stalls.requests[before].completed).toBe(false);
    expect(await logOf(requestId)).toMatchObject({ status: 499, errorCode: "CLIENT_CLOSED", stream: true });
    expect(sink.byId(requestId)).toHaveLength(1);
  });
});

describe("retries", () => {
  it("retries a failing deployment with backoff and says how many attempts it took", async () => {
    const { data, response } = await ask("retry-bot");
    expect(data.choices[0].message.content).toBe("flaky recovered");
    expect(response.headers.get("x-switchyard-deployment")).toBe("up-flaky");
    expect(response.headers.get("x-switchyard-attempts")).toBe("2");
    expect(served(data)).toMatchObject({ deployment: "up-flaky", attempts: 2, modelVersion: "up-flaky@1" });
    expect(fakes.flaky.requests).toHaveLength(2);
    const log = await logOf(response.headers.get("x-request-id"));
    expect(log).toMatchObject({ status: 200, deployment: "up-flaky", requestedModel: "retry-bot" });
    expect(log.errorMessage).toMatch(/^1 failed attempt: up-flaky → 502 .*first call fails/);
  });

  it("retries before the first byte of a stream, and the first chunk names the deployment", async () => {
    const stream = await client.chat.completions.create({
      model: "stream-bot",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let text = "";
    let first: unknown = null;
    for await (const part of stream) {
      first ??= part;
      text += part.choices[0]?.delta?.content ?? "";
    }
    expect(text).toBe("streamed");
    expect(served(first)).toMatchObject({ deployment: "up-flaky-stream", attempts: 2 });
  });

  it("does not retry an upstream's 4xx: the caller's error is the answer", async () => {
    const error = await ask("strict-bot").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("max_tokens is too large");
    expect(fakes.refuses.requests).toHaveLength(1);
    expect(health.get(deploymentKey(projectId, "up-refuses")).consecutiveFailures).toBe(0);
  });

  it("applies a route with no deployments to the requested model itself", async () => {
    const before = fakes.flakyStream.requests.length;
    const { data, response } = await ask("up-flaky-stream@1");
    expect(data.choices[0].message.content).toBe("streamed");
    expect(response.headers.get("x-switchyard-deployment")).toBe("up-flaky-stream@1");
    expect(fakes.flakyStream.requests.length).toBe(before + 1);
  });
});

describe("fallbacks", () => {
  it("tries every deployment (with retries), then the fallback chain in order", async () => {
    const { data, response } = await ask("fallback-bot");
    expect(data.choices[0].message.content).toBe("from B");
    // 2 deployments × 2 tries, then up-down2 twice, then up-b.
    expect(response.headers.get("x-switchyard-attempts")).toBe("7");
    expect(fakes.down.requests).toHaveLength(2);
    expect(fakes.down2.requests).toHaveLength(2);
    const log = await logOf(response.headers.get("x-request-id"));
    expect(log).toMatchObject({ status: 200, deployment: "up-b" });
    expect(log.errorMessage).toContain("6 failed attempts");
    expect(log.errorMessage).toContain("up-refused → 503");
    expect(log.errorMessage).toContain("up-down2 → 502");
  });
});

describe("timeouts", () => {
  it("aborts a hanging deployment after timeoutMs and serves from the next one", async () => {
    const before = fakes.hang.requests.length;
    const { data, response } = await ask("hang-bot");
    expect(data.choices[0].message.content).toBe("from A");
    expect(response.headers.get("x-switchyard-deployment")).toBe("up-a");
    expect(response.headers.get("x-switchyard-attempts")).toBe("2");
    // The hanging upstream call was cancelled, not left open.
    expect(fakes.hang.requests.length).toBe(before + 1);
    expect(await fakes.hang.requests[before].completed).toBe(false);
    const log = await logOf(response.headers.get("x-request-id"));
    expect(log.errorMessage).toContain(`up-hang → 504 deployment up-hang timed out after ${SLOW_MACHINE_MS} ms`);
  });

  it("answers 504 when every attempt timed out", async () => {
    const error = await ask("hang-only").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((error as Error).message).toContain("timed out after 200 ms");
    expect((error as Error).message).toContain("2 attempts failed");
    const log = await sink.waitFor((e) => e.requestedModel === "hang-only");
    expect(log).toMatchObject({ status: 504, errorCode: "UPSTREAM" });
  });
});

/** Reads a streamed answer to its end: the text, and the error the SDK threw there (null if none). */
async function streamed(model: string): Promise<{ text: string; error: Error | null }> {
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "hi" }],
    stream: true,
  });
  let text = "";
  try {
    for await (const part of stream) text += part.choices[0]?.delta?.content ?? "";
    return { text, error: null };
  } catch (error) {
    return { text, error: error as Error };
  }
}

describe("idle timeout after the first token", () => {
  it("ends a stream that goes silent with a 504 error event, and closes the upstream call", async () => {
    const before = fakes.stalls.requests.length;
    const { text, error } = await streamed("stall-bot");
    expect(text).toBe("first words ");
    expect(error?.message).toContain(
      `deployment up-stalls timed out after ${SLOW_MACHINE_MS} ms waiting for the next token`,
    );
    expect(fakes.stalls.requests.length).toBe(before + 1);
    expect(await fakes.stalls.requests[before].completed).toBe(false);
    const log = await sink.waitFor((e) => e.requestedModel === "stall-bot");
    expect(log).toMatchObject({ status: 504, deployment: "up-stalls" });
    // The stall counts against the deployment, though its first token arrived in time.
    const stats = health.get(deploymentKey(projectId, "up-stalls"));
    expect(stats).toMatchObject({ consecutiveFailures: 1, totalFailures: 1, outstanding: 0 });
    expect(stats.lastError).toContain("waiting for the next token");
  });
});

describe("an answer that breaks off after its first token", () => {
  it("fails over when the client asked for JSON (nothing was sent yet)", async () => {
    const before = health.get(deploymentKey(projectId, "up-breaks")).totalFailures;
    const { data, response } = await client.chat.completions
      .create({ model: "midway-bot", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(data.choices[0].message.content).toBe("from B");
    expect(response.headers.get("x-switchyard-deployment")).toBe("up-b");
    expect(response.headers.get("x-switchyard-attempts")).toBe("2");
    expect(health.get(deploymentKey(projectId, "up-breaks")).totalFailures).toBe(before + 1);
    const log = await sink.waitFor((e) => e.requestedModel === "midway-bot" && e.status === 200);
    expect(log.deployment).toBe("up-b");
    expect(log.errorMessage).toContain("up-breaks");
  });

  it("ends a stream with an error event instead: its first token already reached the client", async () => {
    const { text, error } = await streamed("midway-bot");
    expect(text).toBe("half an ans");
    expect(error).not.toBeNull();
  });
});

describe("cooldown", () => {
  it("skips a deployment after `failures` consecutive failures", async () => {
    const calls = () => fakes.down.requests.length;
    const start = calls();
    const first = await ask("cooldown-bot");
    expect(first.response.headers.get("x-switchyard-attempts")).toBe("2");
    const second = await ask("cooldown-bot");
    expect(second.response.headers.get("x-switchyard-attempts")).toBe("2");
    expect(calls()).toBe(start + 2);
    expect(health.isCoolingDown(deploymentKey(projectId, "up-down@1"))).toBe(true);

    const third = await ask("cooldown-bot");
    expect(third.data.choices[0].message.content).toBe("from B");
    expect(third.response.headers.get("x-switchyard-attempts")).toBe("1");
    expect(calls()).toBe(start + 2);
  });
});

describe("weighted split", () => {
  it("roughly honours the weights over many requests", async () => {
    const counts: Record<string, number> = {};
    for (let batch = 0; batch < 8; batch++) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => ask("split-bot")));
      for (const { response } of answers) {
        const name = response.headers.get("x-switchyard-deployment") ?? "none";
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
    expect(Object.keys(counts).sort()).toEqual(["up-a", "up-b"]);
    // Expected 60 of 80 (σ ≈ 3.9): anything within ±4σ.
    expect(counts["up-a"]).toBeGreaterThanOrEqual(44);
    expect(counts["up-a"]).toBeLessThanOrEqual(76);
  });
});

describe("the project's * route", () => {
  it("gives prompt: models its retries (their own config picks the model) and names the requested model", async () => {
    const prompt = await ownerCaller.prompts.create({
      name: "greet",
      type: "chat",
      template: [{ role: "user", content: "Say hi" }],
      config: { model: "up-flaky-prompt" },
    });
    await ownerCaller.prompts.moveLabel({ promptId: prompt.promptId, label: "production", version: 1 });
    const star = await startStandaloneGateway({
      port: 0,
      host: "127.0.0.1",
      db,
      sink,
      promptCache: null,
      responseCache: null,
      // Deployments on `*` would send every model to them; prompt: models keep their own model.
      routes: staticRoutes({ "*": { deployments: [{ model: "up-a" }], retries: { attempts: 1, backoffMs: 5 } } }),
      routeHealth: new DeploymentHealth(),
    });
    try {
      const starClient = new OpenAI({ apiKey: key, baseURL: `${star.origin}/v1`, maxRetries: 0 });
      const { data, response } = await starClient.chat.completions
        .create({ model: "prompt:greet", messages: [] })
        .withResponse();
      expect(data.choices[0].message.content).toBe("prompted");
      expect(response.headers.get("x-switchyard-deployment")).toBe("prompt:greet");
      expect(response.headers.get("x-switchyard-attempts")).toBe("2");
      expect(response.headers.get("x-switchyard-prompt-version")).toBe("greet@1");
      // A registry model without its own route goes to the * route's deployments.
      const other = await starClient.chat.completions
        .create({ model: "up-b", messages: [{ role: "user", content: "hi" }] })
        .withResponse();
      expect(other.data.choices[0].message.content).toBe("from A");
      expect(other.response.headers.get("x-switchyard-deployment")).toBe("up-a");
    } finally {
      await star.close();
    }
  });
});
