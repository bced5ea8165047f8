/**
 * A model whose endpoint is the gateway itself (issue 14, item 3: one request wrote 57,783 log rows and kept
 * going after its client left). With hop headers the loop ends at the first hop back: a bounded number of log
 * rows, a clear 508 to the client. And no upstream attempt outlives its client, through routes and retries too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { upstreamSettings } from "@/server/modules/providers/config";
import { HOP_HEADER, VIA_HEADER } from "@/server/modules/providers/hops";
import { type FakeUpstream, sendJson, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { staticRoutes } from "@/server/modules/routes/source";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { reply } from "./testing/chat-upstream";
import { registerUpstreamModel } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

let db: Db;
let gateway: StandaloneGateway;
let key: string;
let projectId: string;
let echo: FakeUpstream;
let hang: FakeUpstream;
let failing: FakeUpstream;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});

beforeAll(async () => {
  echo = await startFakeUpstream((req, res) => reply(req, res, ["ok"]));
  hang = await startFakeUpstream(async (req) => {
    await req.completed; // never answers; ends when the gateway hangs up
  });
  failing = await startFakeUpstream((_req, res) => sendJson(res, 500, { error: { message: "overloaded" } }));
  const { project, owner } = await makeProject(db, "Loops");
  projectId = project.id;
  const caller = callerFor(db, owner.principal, project.id);
  key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  const routes = staticRoutes({
    // Retries and a fallback that all lead back to the gateway: still one hop each.
    "self-routed": { deployments: [{ model: "self" }], retries: { attempts: 2, backoffMs: 5 }, fallbacks: ["self"] },
    // A failing deployment retried after a long backoff: only the client's leaving ends it.
    "retry-later": {
      deployments: [{ model: "failing" }],
      retries: { attempts: 3, backoffMs: 10_000, maxBackoffMs: 10_000 },
    },
    patient: { deployments: [{ model: "hang" }], retries: { attempts: 2 }, timeoutMs: 60_000 },
  });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null, routes });
  // The model the issue registered: its endpoint is this gateway, its API key a key of this project.
  const self = await caller.models.create({ name: "self", provider: "openai-compatible", task: "chat" });
  await caller.models.createVersion({
    modelId: self.id,
    endpointBaseUrl: `${gateway.origin}/v1`,
    upstreamModelId: "self",
    apiKey: key,
  });
  await registerUpstreamModel(caller, "echo", echo.origin);
  await registerUpstreamModel(caller, "hang", hang.origin);
  await registerUpstreamModel(caller, "failing", failing.origin);
});
afterAll(async () => {
  await gateway?.close();
});

const post = (body: object, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${gateway.origin}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
    signal,
  });

/** Every row the request wrote, with the rows of the calls it made to the gateway (written before its own). */
async function rowsFor(response: Response) {
  const id = response.headers.get("x-request-id");
  await sink.waitFor((e) => e.id === id);
  return sink.entries.filter((e) => e.projectId === projectId);
}

describe("a model whose endpoint is the gateway itself", () => {
  it.each([false, true])("answers 508 naming the loop, after one hop and two log rows (stream: %s)", async (stream) => {
    sink.clear();
    const response = await post({ model: "self", stream });
    expect(response.status).toBe(508);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("loop_detected");
    expect(body.error.message).toContain("refused the request as a loop");
    expect(body.error.message).toContain("already passed through this gateway");

    const rows = await rowsFor(response);
    expect(rows.length).toBeLessThanOrEqual(upstreamSettings().maxHops);
    expect(rows.map((r) => [r.requestedModel, r.status])).toEqual([
      [null, 508], // the call the gateway made to itself, refused before its body was read
      ["self", 508], // the client's request
    ]);
  });

  it("stays bounded through a route's retries and fallbacks: a loop is not retried", async () => {
    sink.clear();
    const response = await post({ model: "self-routed" });
    expect(response.status).toBe(508);
    const rows = await rowsFor(response);
    // One refused hop per deployment tried (the deployment and its fallback), and the client's row.
    expect(rows).toHaveLength(3);
  });
});

describe("hop headers arriving", () => {
  it("are carried on, one hop further", async () => {
    const before = echo.requests.length;
    const response = await post({ model: "echo" }, { [HOP_HEADER]: "1", [VIA_HEADER]: "aaaaaaaaaaaaaaaa" });
    expect(response.status).toBe(200);
    const sent = await echo.received(before);
    expect(sent.headers[HOP_HEADER]).toBe("2");
    expect(sent.headers[VIA_HEADER]).toMatch(/^aaaaaaaaaaaaaaaa, [0-9a-f]{16}$/);
  });

  it("past SWITCHYARD_MAX_HOPS (3) are refused before any upstream is called", async () => {
    const before = echo.requests.length;
    const response = await post({ model: "echo" }, { [HOP_HEADER]: "3" });
    expect(response.status).toBe(508);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      "already passed through 3 gateways, the most SWITCHYARD_MAX_HOPS allows is 3",
    );
    expect(echo.requests.length).toBe(before);
  });

  it("malformed are a 400 naming the header", async () => {
    const response = await post({ model: "echo" }, { [HOP_HEADER]: "many" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^x-switchyard-hop: /);
  });
});

describe("no upstream attempt outlives its client", () => {
  it.each([
    ["a plain request", "hang"],
    ["a routed request", "patient"],
  ])("%s: the client leaving closes the upstream call, and nothing is retried", async (_what, model) => {
    const before = hang.requests.length;
    const gone = new AbortController();
    const pending = post({ model }, {}, gone.signal).catch((error: unknown) => error);
    const upstreamCall = await hang.received(before);
    gone.abort();
    await pending;
    expect(await upstreamCall.completed).toBe(false);
    await sink.waitFor((e) => e.requestedModel === model && e.status === 499);
    expect(hang.requests.length).toBe(before + 1);
  });

  it("a route waiting to retry: the client leaving ends the request, no later attempt starts", async () => {
    const before = failing.requests.length;
    const gone = new AbortController();
    const pending = post({ model: "retry-later" }, {}, gone.signal).catch((error: unknown) => error);
    // The first attempt failed (its answer was sent whole): the route now waits 5 to 10 s before the next.
    expect(await (await failing.received(before)).completed).toBe(true);
    gone.abort();
    await pending;
    await sink.waitFor((e) => e.requestedModel === "retry-later" && e.status === 499);
    expect(failing.requests.length).toBe(before + 1);
  });
});
