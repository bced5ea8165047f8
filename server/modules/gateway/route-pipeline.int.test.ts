/**
 * Routing and the pipeline together, through real HTTP with the official
 * `openai` SDK: routes with deployments, retries and fallbacks that also run
 * input/output guardrails and the cache policy, against fake upstreams that
 * fail (500) or stream chosen chunks and record what they received. The
 * seams: input steps run per attempt but are logged once, guardrail blocks
 * are the caller's answer (no retry, no failure counted), the response cache
 * replays guardrail actions, and key limits refuse before any routing.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import {
  type FakeUpstream,
  pause,
  sendJson,
  sse,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { staticRoutes } from "@/server/modules/routes/source";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { KeyUsageRecorder } from "./key-usage-recorder";
import { GUARDRAILS_HEADER } from "./pipeline";
import { DeploymentHealth, deploymentKey } from "./routing/health";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { reply as replyWith, streamReply, upstreamChunk, wantsStream } from "./testing/chat-upstream";
import { registerUpstreamModel } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

let db: Db;
withTestDatabase((created) => {
  db = created;
});

/** How long rp-slow takes after its first words (a chunk every 50 ms). */
const SLOW_MS = 800;
/** What the serving upstreams stream next. */
let reply: string[] = ["Hello"];
beforeEach(() => {
  reply = ["Hello"];
});

const fakes: Record<string, FakeUpstream> = {};
const sink = new MemorySink();
const health = new DeploymentHealth();
let gateway: StandaloneGateway;
let client: OpenAI;
let caller: ReturnType<typeof callerFor>;
let projectId: string;
let keyUsage: KeyUsageRecorder;

beforeAll(async () => {
  fakes.down = await startFakeUpstream((_req, res) => sendJson(res, 500, { error: { message: "upstream exploded" } }));
  fakes.up = await startFakeUpstream((req, res) => replyWith(req, res, reply));
  fakes.up2 = await startFakeUpstream((req, res) => replyWith(req, res, reply));
  fakes.late = await startFakeUpstream((req, res) => replyWith(req, res, reply));
  // Streamed: answers its first words at once, the rest over SLOW_MS. Not streamed (the warm-up): at once.
  fakes.slow = await startFakeUpstream(async (req, res) => {
    if (!wantsStream(req)) return replyWith(req, res, ["Hello"]);
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(sse([{ data: upstreamChunk("Oh darn, hello ") }]));
    for (let i = 0; i < SLOW_MS / 50; i++) {
      await pause(50);
      res.write(sse([{ data: upstreamChunk("la ") }]));
    }
    await streamReply(res, ["there."]);
  });

  const { project, owner } = await makeProject(db, "Route pipeline");
  projectId = project.id;
  caller = callerFor(db, owner.principal, project.id);
  for (const [name, fake] of Object.entries(fakes))
    await registerUpstreamModel(caller, `rp-${name}`, fake.origin, { priceInputPerMTok: 1, priceOutputPerMTok: 2 });
  const key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;

  const fast = { backoffMs: 5, maxBackoffMs: 20 };
  // rp-down fails every call: a high cooldown threshold keeps it in the order for every test.
  const patient = { failures: 100, seconds: 1 };
  const routes = staticRoutes({
    "masked-bot": {
      deployments: [
        { model: "rp-down", weight: 1 },
        { model: "rp-up", weight: 0 },
      ],
      retries: { attempts: 1, ...fast },
      cooldown: patient,
      pipeline: { input: { pii: { action: "mask" } } },
    },
    "blocked-bot": {
      deployments: [{ model: "rp-up" }, { model: "rp-up2" }],
      retries: { attempts: 2, ...fast },
      fallbacks: ["rp-down"],
      cooldown: { failures: 1, seconds: 60 },
      pipeline: { input: { blocklist: { words: ["project zorp"] } } },
    },
    "stream-bot": {
      deployments: [{ model: "rp-down" }],
      retries: { attempts: 0 },
      cooldown: patient,
      fallbacks: ["rp-up"],
      pipeline: { output: { pii: { action: "mask" } } },
    },
    // One failure would cool rp-up2 down: a block counted as one would show.
    "filter-bot": {
      deployments: [{ model: "rp-up2" }],
      retries: { attempts: 2, ...fast },
      cooldown: { failures: 1, seconds: 60 },
      fallbacks: ["rp-up"],
      pipeline: { output: { blocklist: { words: ["nightjar"] } } },
    },
    "cache-bot": {
      deployments: [{ model: "rp-up" }],
      retries: { attempts: 1, ...fast },
      pipeline: { input: { pii: {} }, output: { pii: {} } },
    },
    "out-bot": { deployments: [{ model: "rp-up2" }], pipeline: { output: { pii: {} } } },
    // rp-late (resolved slowly, see the test) times out, rp-slow serves. The limit applies to rp-slow's first
    // token and to each of its chunks (50 ms apart) too: generous, or a loaded machine times rp-slow out as well.
    "race-bot": {
      deployments: [
        { model: "rp-late", weight: 1 },
        { model: "rp-slow", weight: 0 },
      ],
      retries: { attempts: 0 },
      timeoutMs: 1_000,
      pipeline: { input: { pii: {} }, output: { blocklist: { words: ["darn"], action: "mask" } } },
    },
    "limited-bot": { deployments: [{ model: "rp-up" }], retries: { attempts: 1, ...fast } },
  });
  keyUsage = new KeyUsageRecorder(db);
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink,
    promptCache: null,
    routes,
    routeHealth: health,
    keyUsage,
  });
  client = new OpenAI({ apiKey: key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await keyUsage?.close();
  await gateway?.close();
  await Promise.all(Object.values(fakes).map((f) => f.close()));
});

const user = (content: string) => ({ role: "user" as const, content });
/** The request's log row, checking there is exactly one. */
const logOf = async (requestId: string | null | undefined) => {
  const entry = await sink.waitFor((e) => e.id === requestId);
  expect(sink.byId(requestId!)).toHaveLength(1);
  return entry;
};
const statsOf = (ref: string) => health.get(deploymentKey(projectId, ref));
const callCounts = () => Object.fromEntries(Object.entries(fakes).map(([name, f]) => [name, f.requests.length]));
const sentMessages = (fake: FakeUpstream) =>
  (fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] }).messages;

/** Reads a stream to its end: the text, finish reasons, and what the first chunk says served it. */
async function readStream(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let text = "";
  const finishes: string[] = [];
  let served: { requestId: string; deployment?: string; attempts?: number } | undefined;
  for await (const chunk of stream) {
    served ??= (chunk as unknown as { switchyard?: typeof served }).switchyard;
    text += chunk.choices[0]?.delta.content ?? "";
    const finish = chunk.choices[0]?.finish_reason;
    if (finish) finishes.push(finish);
  }
  return { text, finishes, served: served! };
}

describe("input steps on a route with retries and fallbacks", () => {
  it("masks PII before every attempt and logs the mask once, for the attempt that served", async () => {
    const before = callCounts();
    reply = ["Noted."];
    const { data, response } = await client.chat.completions
      .create({ model: "masked-bot", messages: [user("Write to ann@example.com today")] })
      .withResponse();
    expect(data.choices[0].message.content).toBe("Noted.");
    expect(response.headers.get("x-switchyard-deployment")).toBe("rp-up");
    expect(response.headers.get("x-switchyard-attempts")).toBe("3");
    expect(response.headers.get(GUARDRAILS_HEADER)).toBe("input:pii=mask(1)");
    // rp-down failed twice (one retry), then the standby served; nothing unmasked left for either.
    expect(fakes.down.requests.length).toBe(before.down + 2);
    expect(fakes.up.requests.length).toBe(before.up + 1);
    expect(sentMessages(fakes.up)).toEqual([user("Write to <EMAIL_1> today")]);
    for (const request of [...fakes.down.requests.slice(before.down), fakes.up.requests.at(-1)!])
      expect(JSON.stringify(request.body)).not.toContain("example.com");
    const log = await logOf(response.headers.get("x-request-id"));
    expect(log).toMatchObject({ status: 200, deployment: "rp-up", requestedModel: "masked-bot" });
    expect(log.errorMessage).toMatch(/^2 failed attempts: rp-down → 502 /);
    expect(log.guardrails).toEqual([{ stage: "input", rule: "pii", action: "mask", count: 1, kinds: { EMAIL: 1 } }]);
  });

  it("answers an input block at once: no upstream called, no retry or fallback, no deployment failure", async () => {
    const before = callCounts();
    const health = [statsOf("rp-up"), statsOf("rp-up2"), statsOf("rp-down")];
    const error = (await client.chat.completions
      .create({ model: "blocked-bot", messages: [user("All about Project Zorp, please")] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe("guardrail_blocked");
    expect(error.message).toContain("Blocked by the input guardrail 'blocklist'");
    expect(error.message).not.toContain("attempts failed");
    expect(error.headers?.get(GUARDRAILS_HEADER)).toBe("input:blocklist=block(1)");
    expect(callCounts()).toEqual(before);
    expect([statsOf("rp-up"), statsOf("rp-up2"), statsOf("rp-down")]).toEqual(health);
    const log = await logOf(error.headers?.get("x-request-id"));
    expect(log).toMatchObject({
      status: 400,
      errorCode: "GUARDRAIL_BLOCKED",
      errorMessage: "Blocked by the input guardrail 'blocklist': entry 1 of the blocklist",
    });
    expect(log.guardrails).toEqual([{ stage: "input", rule: "blocklist", action: "block", count: 1 }]);
  });
});

describe("an attempt that timed out", () => {
  it("leaves the request's log row to the attempt that served, even when it resolves late", async () => {
    // rp-slow's version is resolved (and cached, for seconds) now; rp-late's will wait for the locked table below.
    await client.chat.completions.create({ model: "rp-slow", messages: [user("warm up")] });
    const slowCalls = fakes.slow.requests.length;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const lock = db.$transaction(
      async (tx) => {
        await tx.$executeRaw`LOCK TABLE models IN ACCESS EXCLUSIVE MODE`;
        locked();
        // Held until rp-late's attempt has timed out and rp-slow is asked (however long that takes), so rp-late
        // cannot resolve in time; released while rp-slow's answer (SLOW_MS more) still streams.
        await fakes.slow.received(slowCalls);
      },
      { timeout: 10_000 },
    );
    await isLocked;
    // Streamed, so that rp-slow's first token comes within the timeout and its answer outlasts the lock.
    const [{ data, response }] = await Promise.all([
      client.chat.completions
        .create({ model: "race-bot", messages: [user("mail ann@example.com")], stream: true })
        .withResponse(),
      lock,
    ]);
    let text = "";
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(`Oh ***, hello ${"la ".repeat(SLOW_MS / 50)}there.`);
    expect(response.headers.get("x-switchyard-deployment")).toBe("rp-slow");
    expect(response.headers.get("x-switchyard-attempts")).toBe("2");
    const log = await logOf(response.headers.get("x-request-id"));
    const slowVersion = await db.modelVersion.findFirstOrThrow({ where: { model: { projectId, name: "rp-slow" } } });
    expect(log).toMatchObject({ status: 200, deployment: "rp-slow", modelVersionId: slowVersion.id });
    expect(log.guardrails).toEqual([
      { stage: "input", rule: "pii", action: "mask", count: 1, kinds: { EMAIL: 1 } },
      { stage: "output", rule: "blocklist", action: "mask", count: 1 },
    ]);
  });
});

describe("output guards on routed streams", () => {
  it("masks an e-mail split across chunks of a stream served by the fallback, and logs the deployment", async () => {
    reply = ["Contact ", "support.te", "am@exam", "ple.com", " today."];
    const { text, finishes, served } = await readStream(
      await client.chat.completions.create({ model: "stream-bot", messages: [user("help")], stream: true }),
    );
    expect(text).toBe("Contact <EMAIL_1> today.");
    expect(finishes).toEqual(["stop"]);
    expect(served).toMatchObject({ deployment: "rp-up", attempts: 2 });
    const log = await logOf(served.requestId);
    expect(log).toMatchObject({ status: 200, stream: true, deployment: "rp-up" });
    expect(log.errorMessage).toMatch(/^1 failed attempt: rp-down → 502 /);
    expect(log.guardrails).toEqual([{ stage: "output", rule: "pii", action: "mask", count: 1, kinds: { EMAIL: 1 } }]);
  });

  it.each([
    ["after some text", ["The code name is ", "night", "jar and the rest."], "The code name is "],
    ["in the first chunk", ["nightjar is the code name."], ""],
  ])(
    "ends a stream blocked %s with content_filter: no retry, no fallback, no failure counted",
    async (_, pieces, kept) => {
      reply = pieces;
      const before = callCounts();
      const healthBefore = statsOf("rp-up2");
      const { text, finishes, served } = await readStream(
        await client.chat.completions.create({ model: "filter-bot", messages: [user("code name?")], stream: true }),
      );
      expect(text).toBe(kept);
      expect(finishes).toEqual(["content_filter"]);
      expect(served).toMatchObject({ deployment: "rp-up2", attempts: 1 });
      expect(callCounts()).toEqual({ ...before, up2: before.up2 + 1 });
      const log = await logOf(served.requestId);
      expect(log).toMatchObject({ status: 200, deployment: "rp-up2", errorMessage: null });
      expect(log.guardrails).toEqual([{ stage: "output", rule: "blocklist", action: "block", count: 1 }]);
      // A success for the deployment, and the attempt no longer in flight once the stream ended.
      expect(statsOf("rp-up2")).toMatchObject({
        outstanding: 0,
        consecutiveFailures: 0,
        totalFailures: healthBefore.totalFailures,
        totalSuccesses: healthBefore.totalSuccesses + 1,
        cooldownUntil: null,
      });
    },
  );
});

describe("response cache on routed requests", () => {
  it("replays the cached output actions with the input's, each once, at cost 0", async () => {
    reply = ["I will mail ann@example.com"];
    const ask = () =>
      client.chat.completions
        .create({ model: "cache-bot", messages: [user("mail ann@example.com")], temperature: 0 })
        .withResponse();
    const first = await ask();
    expect(first.response.headers.get("x-switchyard-cache")).toBe("miss");
    const calls = callCounts();
    const second = await ask();
    expect(second.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(callCounts()).toEqual(calls);
    expect(second.data.choices[0].message.content).toBe("I will mail <EMAIL_1>");
    const actions = [
      { stage: "input", rule: "pii", action: "mask", count: 1, kinds: { EMAIL: 1 } },
      { stage: "output", rule: "pii", action: "mask", count: 1, kinds: { EMAIL: 1 } },
    ];
    expect(second.response.headers.get(GUARDRAILS_HEADER)).toBe("input:pii=mask(1);output:pii=mask(1)");
    const miss = await logOf(first.response.headers.get("x-request-id"));
    expect(miss).toMatchObject({ cacheHit: false, deployment: "rp-up", guardrails: actions });
    expect(miss.costUsd).toBeGreaterThan(0);
    const hit = await logOf(second.response.headers.get("x-request-id"));
    expect(hit).toMatchObject({ status: 200, cacheHit: true, deployment: "cache", costUsd: 0 });
    expect(hit.guardrails).toEqual(actions);
  });

  it("never answers a route with an output pipeline from an answer cached without it", async () => {
    reply = ["Write to ann@example.com"];
    const ask = (model: string) =>
      client.chat.completions.create({ model, messages: [user("who do I write to?")], temperature: 0 }).withResponse();
    // The model itself, no route: its answer is cached as generated.
    const direct = await ask("rp-up2");
    expect(direct.data.choices[0].message.content).toBe("Write to ann@example.com");
    expect(direct.response.headers.get("x-switchyard-cache")).toBe("miss");
    const routed = await ask("out-bot");
    expect(routed.data.choices[0].message.content).toBe("Write to <EMAIL_1>");
    expect(routed.response.headers.get("x-switchyard-cache")).toBe("miss");
    expect((await ask("out-bot")).response.headers.get("x-switchyard-cache")).toBe("hit");
  });
});

describe("key limits on routed requests", () => {
  it("refuses over the requests-per-minute limit with 429 before any routing", async () => {
    const limited = await caller.apiKeys.create({ name: "rpm-1", scopes: ["gateway:invoke"], requestsPerMinute: 1 });
    const limitedClient = new OpenAI({ apiKey: limited.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
    const ask = () => limitedClient.chat.completions.create({ model: "limited-bot", messages: [user("hi")] });
    expect((await ask()).choices[0].message.content).toBe("Hello");
    const before = callCounts();
    const healthBefore = statsOf("rp-up");
    const error = (await ask().catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe("rate_limited");
    expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(callCounts()).toEqual(before);
    expect(statsOf("rp-up")).toEqual(healthBefore);
    const log = await logOf(error.headers?.get("x-request-id"));
    expect(log).toMatchObject({ status: 429, errorCode: "RATE_LIMITED", apiKeyId: limited.id, deployment: null });
  });
});
