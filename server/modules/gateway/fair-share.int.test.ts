/**
 * Fair shares of an upstream origin's connections (issue 14, item 4: project A holding all 256 connections to a
 * shared origin made project B's call to another model there wait 90 s). Scaled down: an origin of 4
 * connections, 2 per project, 1 waiting call per project. A holds its 2 with slow streams, a third waits, a
 * fourth is refused with 429; B's call to another model on the same origin is answered while all of that holds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { reloadUpstreamSettings } from "@/server/modules/providers/config";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { originLoad } from "@/server/modules/providers/transport";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { reply, replyHead, streamReply } from "./testing/chat-upstream";
import { MemorySink } from "./testing/memory-sink";

Object.assign(process.env, {
  SWITCHYARD_UPSTREAM_CONNECTIONS: "4",
  SWITCHYARD_UPSTREAM_PROJECT_CONNECTIONS: "2",
  SWITCHYARD_UPSTREAM_KEY_CONNECTIONS: "2",
  SWITCHYARD_UPSTREAM_QUEUE: "1",
});
reloadUpstreamSettings();

let db: Db;
let gateway: StandaloneGateway;
let shared: FakeUpstream;
const keys: Record<"a" | "b", string> = { a: "", b: "" };
let projectA: string;
const sink = new MemorySink();
/** Slow streams hold their connection until `releaseA()` (later ones then go through, until `holdA()`). */
let holding = true;
const gates: (() => void)[] = [];
const releaseA = () => {
  holding = false;
  for (const release of gates.splice(0)) release();
};
const holdA = () => {
  holding = true;
};
withTestDatabase((created) => {
  db = created;
});

beforeAll(async () => {
  // One origin for both projects: A's model streams one chunk and then holds its connection until released.
  shared = await startFakeUpstream(async (req, res) => {
    const model = (req.body as { model: string }).model;
    if (model !== "slow") return reply(req, res, ["fast answer"]);
    replyHead(req, res, "first ");
    if (holding) await new Promise<void>((resolve) => gates.push(resolve));
    await streamReply(res, ["and the rest"]);
  });
  for (const [name, model] of [
    ["a", "slow"],
    ["b", "fast"],
  ] as const) {
    const { project, owner } = await makeProject(db, `Project ${name}`);
    if (name === "a") projectA = project.id;
    const caller = callerFor(db, owner.principal, project.id);
    const registered = await caller.models.create({
      name: `${name}-model`,
      provider: "openai-compatible",
      task: "chat",
    });
    await caller.models.createVersion({
      modelId: registered.id,
      endpointBaseUrl: `${shared.origin}/v1`,
      upstreamModelId: model,
    });
    keys[name] = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  }
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
});
afterAll(async () => {
  releaseA();
  await gateway?.close();
});

const ask = (project: "a" | "b", stream: boolean, signal?: AbortSignal) =>
  fetch(`${gateway.origin}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${keys[project]}`, "content-type": "application/json" },
    body: JSON.stringify({ model: `${project}-model`, stream, messages: [{ role: "user", content: "hi" }] }),
    signal,
  });

const slowCalls = () => shared.requests.filter((r) => (r.body as { model: string }).model === "slow").length;

/** Resolves once `check` holds; the state it waits for comes from requests already sent. */
async function until(check: () => boolean) {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("one origin shared by two projects", () => {
  it("holds A to its share (the excess waits, then gets a 429) while B is answered at once", async () => {
    const origin = shared.origin;
    // A takes its two connections with streams that hold them.
    const streams = [await ask("a", true), await ask("a", true)];
    for (const response of streams) expect(response.status).toBe(200);
    expect(originLoad(origin, projectA)).toEqual({ active: 2, waiting: 0 });

    // A's third call waits for one of A's connections; its fourth finds the queue full.
    const waiting = ask("a", true);
    await until(() => originLoad(origin, projectA).waiting === 1);
    const refused = await ask("a", false);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    const { error } = (await refused.json()) as { error: { message: string } };
    expect(error.message).toContain("this project's share of connections to upstream");
    expect(error.message).toContain("SWITCHYARD_UPSTREAM_PROJECT_CONNECTIONS");
    expect(error.message).toContain("SWITCHYARD_UPSTREAM_QUEUE");

    // B, on the same origin, is answered while A holds its share and waits for more.
    const answered = await ask("b", false);
    expect(answered.status).toBe(200);
    expect(
      ((await answered.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content,
    ).toBe("fast answer");
    expect(originLoad(origin, projectA)).toEqual({ active: 2, waiting: 1 });
    expect(slowCalls()).toBe(2);

    // A's streams finish; its waiting call gets a connection and is answered.
    releaseA();
    for (const response of streams) expect(await response.text()).toContain("and the rest");
    const late = await waiting;
    expect(late.status).toBe(200);
    expect(await late.text()).toContain("and the rest");
    await until(() => originLoad(origin).active === 0);
  });

  it("forgets a waiting call whose client left: it never reaches the upstream", async () => {
    const origin = shared.origin;
    holdA();
    const before = slowCalls();
    const streams = [await ask("a", true), await ask("a", true)];
    const gone = new AbortController();
    const leaving = ask("a", true, gone.signal).catch((error: unknown) => error);
    await until(() => originLoad(origin, projectA).waiting === 1);
    gone.abort();
    await leaving;
    await until(() => originLoad(origin, projectA).waiting === 0);
    releaseA();
    for (const response of streams) await response.text();
    await until(() => originLoad(origin).active === 0);
    expect(slowCalls()).toBe(before + 2);
    await sink.waitFor((e) => e.projectId === projectA && e.status === 499);
  });
});
