/** Playground generations against an upstream: the SSE route, measured stats, cost and history, with a fake OpenAI server. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { type FakeUpstream, sendJson, sse, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { streamRunResponse } from "@/server/modules/runs/sse";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

let db: Db;
let fake: FakeUpstream;
let key: string;
let owner: ReturnType<typeof callerFor>;
withTestDatabase((created) => {
  db = created;
});

const chunk = (content: string, extra: Record<string, unknown> = {}) => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  model: "fake-model",
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  ...extra,
});

beforeAll(async () => {
  fake = await startFakeUpstream(async (req, res) => {
    const body = req.body as { messages: { content: string }[] };
    if (body.messages.at(-1)?.content === "fail")
      return sendJson(res, 500, { error: { message: "upstream exploded" } });
    if (body.messages.at(-1)?.content === "hang") {
      // One token, then nothing until the caller stops.
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sse([{ data: chunk("Partial") }]));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(
      sse([
        { data: chunk("Hel") },
        { data: chunk("lo, wörld") },
        { data: { ...chunk(""), choices: [{ index: 0, delta: {}, finish_reason: "stop" }] } },
        { data: { ...chunk(""), choices: [], usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 } } },
        { data: "[DONE]" },
      ]),
    );
  });
  const { project, owner: user } = await makeProject(db);
  owner = callerFor(db, user.principal, project.id);
  key = (await makeApiKey(db, project.id)).key;
  const model = await owner.models.create({
    name: "fake-gpt",
    provider: "openai-compatible",
    task: "chat",
    priceInputPerMTok: 1,
    priceOutputPerMTok: 2,
  });
  await owner.models.createVersion({
    modelId: model.id,
    endpointBaseUrl: `${fake.origin}/v1`,
    upstreamModelId: "fake-model",
    apiKey: "sk-upstream-secret",
    defaultParams: { temperature: 0.3, maxTokens: 64 },
  });
  await owner.models.moveAlias({ modelId: model.id, alias: "production", version: 1 });
});
afterAll(() => fake?.close());

async function stream(body: unknown, auth = `Bearer ${key}`) {
  const response = await streamRunResponse(
    new Request("http://localhost/api/rest/playground/stream", {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    { db, session: async () => null },
  );
  const text = response.status === 200 ? await response.text() : "";
  const events = text
    .split("\n\n")
    .filter(Boolean)
    .map((block) => {
      const [eventLine, dataLine] = block.split("\n");
      return { event: eventLine.replace("event: ", ""), data: JSON.parse(dataLine.replace("data: ", "")) };
    });
  return { response, events };
}

describe("playground runs", () => {
  it("streams deltas, then measured stats and cost, and records the run and the history slot", async () => {
    const saved = await owner.playground.createRun({
      configs: [
        { model: "fake-gpt@production", params: {} },
        { model: "fake-gpt@1", params: { temperature: 1 } },
      ],
      input: { messages: [{ role: "user", content: "Say hello" }] },
    });
    expect(saved.results).toEqual([null, null]);
    const { response, events } = await stream({
      model: "fake-gpt@production",
      input: {
        messages: [
          { role: "system", content: "Be brief" },
          { role: "user", content: "Say hello" },
        ],
      },
      params: { maxTokens: 10 },
      playgroundRunId: saved.id,
      slot: 1,
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const deltas = events.filter((e) => e.event === "delta").map((e) => e.data.text);
    expect(deltas.join("")).toBe("Hello, wörld");
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    expect(done.data.stats).toMatchObject({ tokensIn: 12, tokensOut: 4, finishReason: "stop" });
    expect(done.data.stats.costUsd).toBeCloseTo((12 * 1 + 4 * 2) / 1e6, 12);
    expect(done.data.stats.ttftMs).toBeGreaterThan(0);

    const sent = fake.requests.at(-1)!;
    expect(sent.headers.authorization).toBe("Bearer sk-upstream-secret");
    // The version's default temperature applies; the caller's maxTokens overrides its default.
    expect(sent.body).toMatchObject({ model: "fake-model", temperature: 0.3, max_tokens: 10, stream: true });

    const run = await db.inferenceRun.findUniqueOrThrow({ where: { id: done.data.runId } });
    expect(run).toMatchObject({ source: "playground", tokensIn: 12, tokensOut: 4, finishReason: "stop", error: null });
    expect(run.device).toBe(`upstream:${new URL(fake.origin).host}`);
    const history = await owner.playground.get({ id: saved.id });
    expect(history.results[0]).toBeNull();
    expect(history.results[1]).toMatchObject({ text: "Hello, wörld", model: "fake-gpt@1", error: null });
  });

  it("reports an upstream failure as an error event and records the failed run", async () => {
    const before = await db.inferenceRun.count({ where: { error: { not: null } } });
    const { events } = await stream({ model: "fake-gpt", input: { messages: [{ role: "user", content: "fail" }] } });
    expect(events.at(-1)).toMatchObject({
      event: "error",
      data: { code: "UPSTREAM", message: expect.stringContaining("upstream exploded") },
    });
    expect(await db.inferenceRun.count({ where: { error: { not: null } } })).toBe(before + 1);
  });

  it("answers bad requests before streaming: 400, 404, 401", async () => {
    const bad = await stream({ model: "fake-gpt", input: { messages: [] } });
    expect(bad.response.status).toBe(400);
    expect((await bad.response.json()).error.message).toContain("at least one message");
    const notJson = await stream("{nope");
    expect(notJson.response.status).toBe(400);
    const missing = await stream({ model: "no-such-model", input: { prompt: "hi" } });
    expect(missing.response.status).toBe(404);
    const anonymous = await stream({ model: "fake-gpt", input: { prompt: "hi" } }, "");
    expect(anonymous.response.status).toBe(401);
  });

  it("shows measured medians and cost next to declared prices in the selection view", async () => {
    const rows = await owner.models.selection({ sinceDays: 30 });
    const row = rows.find((r) => r.name === "fake-gpt" && r.version === 1)!;
    expect(row).toMatchObject({
      provider: "openai-compatible",
      priceInputPerMTok: 1,
      priceOutputPerMTok: 2,
      aliases: ["production"],
    });
    expect(row.runs).toBeGreaterThanOrEqual(2);
    expect(row.errors).toBeGreaterThanOrEqual(1);
    expect(row.ttftMsP50).toBeGreaterThan(0);
    // Each successful run costs (12 * 1 + 4 * 2) / 1e6 for 4 output tokens.
    expect(row.costPer1kOutputTokens).toBeCloseTo(((12 + 8) / 1e6 / 4) * 1000, 10);
    expect(row.device).toContain("upstream:");
  });

  it("records a stopped generation as stopped, not failed, with the text that had arrived", async () => {
    const saved = await owner.playground.createRun({
      configs: [{ model: "fake-gpt", params: {} }],
      input: { messages: [{ role: "user", content: "hang" }] },
    });
    const stop = new AbortController();
    const response = await streamRunResponse(
      new Request("http://localhost/api/rest/playground/stream", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "fake-gpt",
          input: { messages: [{ role: "user", content: "hang" }] },
          playgroundRunId: saved.id,
          slot: 0,
        }),
        signal: stop.signal,
      }),
      { db, session: async () => null },
    );
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = "";
    while (!received.includes("Partial")) received += (await reader.read()).value ?? "";
    // What the browser does on Stop: abort the fetch, which cancels the body.
    stop.abort();
    await reader.cancel();
    await expect
      .poll(async () => (await owner.playground.get({ id: saved.id })).results[0], { timeout: 10_000 })
      .toMatchObject({ text: "Partial", stopped: true, error: null });
    const runs = await db.inferenceRun.findMany({ where: { finishReason: "stopped" } });
    expect(runs).toHaveLength(1);
    expect(runs[0].error).toBeNull();
  });
});
