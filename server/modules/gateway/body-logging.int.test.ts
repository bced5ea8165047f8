/**
 * The project's privacy setting decides the bodies in the request log:
 * none / masked (PII replaced by placeholders, the same in request and
 * response) / full. Real Postgres, real HTTP, the `openai` SDK, a fake
 * upstream that echoes the user's message back.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/server/db";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { followSettingsChanges, ProjectBodyLogging } from "./body-logging";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { reply } from "./testing/chat-upstream";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

process.env.SWITCHYARD_DATA_DIR = await mkdtemp(path.join(tmpdir(), "switchyard-body-logging-"));
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let url: string;
let fake: FakeUpstream;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
const sink = new MemorySink();
const gateways: StandaloneGateway[] = [];
withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});

const MESSAGE = "Please reply to jane.doe@example.com about order 7";

beforeAll(async () => {
  fake = await startFakeUpstream((req, res) => {
    const last = (req.body as { messages: { content: string }[] }).messages.at(-1)?.content ?? "";
    const answer = `Sure, I will write to ${last.match(/\S+@\S+/)?.[0] ?? "nobody"}.`;
    reply(req, res, [answer], { usage: { prompt_tokens: 9, completion_tokens: 7 } });
  });
  fixture = await gatewayFixture(db, fake.origin);
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await fake?.close();
});

/** A fresh gateway process (fresh setting cache) for the project's current setting; returns the logged row. */
async function loggedRow(stream: boolean) {
  const gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
  gateways.push(gateway);
  const client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
  const messages = [{ role: "user" as const, content: MESSAGE }];
  let id: string;
  if (stream) {
    const response = await client.chat.completions.create({ model: "fake-gpt", messages, stream: true });
    let text = "";
    for await (const part of response) text += part.choices[0]?.delta.content ?? "";
    expect(text).toContain("jane.doe@example.com"); // the caller always gets the real answer
    id = (await sink.waitFor((e) => e.stream && !seen.has(e.id))).id;
  } else {
    const completion = await client.chat.completions.create({ model: "fake-gpt", messages });
    expect(completion.choices[0].message.content).toContain("jane.doe@example.com");
    id = (completion as unknown as { switchyard: { requestId: string } }).switchyard.requestId;
  }
  seen.add(id);
  const [row] = sink.byId(id);
  return row;
}
const seen = new Set<string>();

describe("request body logging", () => {
  it("keeps no bodies by default (none)", async () => {
    const row = await loggedRow(false);
    expect(row.status).toBe(200);
    expect(row.requestBody).toBeNull();
    expect(row.responseBody).toBeNull();
  });

  it("masks personal data in both bodies with the same placeholder (masked), streamed or not", async () => {
    await fixture.caller.projects.updateSettings({ requestBodyLogging: "masked" });
    for (const stream of [false, true]) {
      const row = await loggedRow(stream);
      const logged = JSON.stringify([row.requestBody, row.responseBody]);
      expect(logged).not.toContain("jane.doe");
      expect(logged).not.toContain("example.com");
      expect(row.requestBody).toMatchObject({
        model: "fake-gpt",
        messages: [{ role: "user", content: "Please reply to <EMAIL_1> about order 7" }],
      });
      expect(row.responseBody).toMatchObject({ text: "Sure, I will write to <EMAIL_1>.", finishReason: "stop" });
    }
  });

  it("keeps the bodies as sent and answered (full)", async () => {
    await fixture.caller.projects.updateSettings({ requestBodyLogging: "full" });
    const row = await loggedRow(false);
    expect(row.requestBody).toMatchObject({ messages: [{ role: "user", content: MESSAGE }] });
    expect(row.responseBody).toEqual({ text: "Sure, I will write to jane.doe@example.com.", finishReason: "stop" });
  });
});

describe("the setting cache", () => {
  it("answers from memory within its TTL, then refreshes in the background", async () => {
    let now = 0;
    const cache = new ProjectBodyLogging(db, { ttlMs: 10_000, clock: () => now });
    await fixture.caller.projects.updateSettings({ requestBodyLogging: "none" });
    expect(await cache.get(fixture.project.id)).toBe("none");
    await fixture.caller.projects.updateSettings({ requestBodyLogging: "masked" });
    // Cached: a plain value, no promise, no query.
    expect(cache.get(fixture.project.id)).toBe("none");
    now += 10_001;
    expect(cache.get(fixture.project.id)).toBe("none"); // stale answer while one refresh runs
    // A query in the background: a generous bound (vi.waitFor's default is 1 s), for a loaded machine.
    await vi.waitFor(() => expect(cache.get(fixture.project.id)).toBe("masked"), { timeout: 10_000 });
    expect(await cache.get("00000000-0000-4000-8000-000000000000")).toBe("none");
  });
});

describe("a settings change", () => {
  it("reaches a listening cache when it commits, long before the TTL", async () => {
    const cache = new ProjectBodyLogging(db, { ttlMs: 600_000 });
    const changes = followSettingsChanges(cache, url);
    try {
      await changes.ready;
      await fixture.caller.projects.updateSettings({ requestBodyLogging: "none" });
      await vi.waitFor(async () => expect(await cache.get(fixture.project.id)).toBe("none"), { timeout: 10_000 });
      await fixture.caller.projects.updateSettings({ requestBodyLogging: "full" });
      // Ten minutes of TTL: only the notification can make this pass (however long a loaded machine takes).
      await vi.waitFor(async () => expect(await cache.get(fixture.project.id)).toBe("full"), { timeout: 10_000 });
    } finally {
      await changes.close();
    }
  });

  it("applies to a standalone gateway's next requests (it listens on its database)", async () => {
    await fixture.caller.projects.updateSettings({ requestBodyLogging: "none" });
    const gateway = await startStandaloneGateway({
      port: 0,
      host: "127.0.0.1",
      db,
      sink,
      promptCache: null,
      changesUrl: url,
    });
    gateways.push(gateway);
    const client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
    const ask = async () => {
      const completion = await client.chat.completions.create({
        model: "fake-gpt",
        messages: [{ role: "user", content: MESSAGE }],
      });
      const id = (completion as unknown as { switchyard: { requestId: string } }).switchyard.requestId;
      return (await sink.waitFor((e) => e.id === id)).requestBody;
    };
    expect(await ask()).toBeNull();
    await fixture.caller.projects.updateSettings({ requestBodyLogging: "full" });
    // Within the cache's 10 s TTL: the notification, not expiry, brings the change (the wait stays well under it).
    await vi.waitFor(async () => expect(await ask()).not.toBeNull(), { timeout: 6_000, interval: 50 });
  });
});
