/**
 * Issue 14, item 1: a template render cannot hold the event loop or the server's memory. Runaway renders of
 * one project (batched through the real tRPC handler, as the issue sent them) are refused naming the limit
 * they hit, while another project's gateway request, served over real HTTP by this same process, is answered
 * in the meantime: the assertions are about order (answered while the runaways are still pending), not time.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TRPC_BATCH } from "@/lib/trpc-batch";
import type { Db } from "@/server/db";
import { createGatewayHandler } from "@/server/modules/gateway/handler";
import { toNodeListener } from "@/server/modules/gateway/node-adapter";
import { gatewayFixture } from "@/server/modules/gateway/testing/fixtures";
import { MemorySink } from "@/server/modules/gateway/testing/memory-sink";
import { type FakeUpstream, sendJson, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleTrpc } from "@/server/trpc/http";

// Read once per process by the render pool: two workers (so one project holds at most one), short limits.
process.env.SWITCHYARD_TEMPLATE_WORKERS = "2";
process.env.SWITCHYARD_TEMPLATE_TIMEOUT_MS = "1000";
process.env.SWITCHYARD_TEMPLATE_MEMORY_MB = "64";
process.env.SWITCHYARD_UPSTREAM_ALLOW ??= "127.0.0.1";

/** ~8 ms per iteration, few steps and little output: only the time limit stops it (it would run ~80 s). */
const SLOW = '{% for i in range(10000) %}{{ range(10000) | join(",") | length }}{% endfor %}';
/** The shape: under 150 bytes, 489 MB of output if nothing stops it (48,890 characters per iteration). */
const HUGE = '{% for i in range(10000) %}{{ range(10000) | join(",") }}{% endfor %}';
let db: Db;
let fake: FakeUpstream;
let server: Server;
let gatewayUrl: string;
let gatewayKey: string;
let tenantKey: string;
let tenant: ReturnType<typeof callerFor>;
withTestDatabase((created) => {
  db = created;
});

beforeAll(async () => {
  fake = await startFakeUpstream((_req, res) =>
    sendJson(res, 200, {
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    }),
  );
  // Project B serves prompt:support/reply through the gateway; project A only previews templates.
  const fixture = await gatewayFixture(db, fake.origin);
  gatewayKey = fixture.key;
  await fixture.caller.prompts.create({
    name: "few-shot",
    type: "text",
    template: "{% for ex in examples %}{{ ex }}\n{% endfor %}Now: {{ question }}",
    config: { model: "fake-gpt@production" },
  });
  const { project, owner } = await makeProject(db, "Tenant A");
  tenant = callerFor(db, owner.principal, project.id);
  tenantKey = (await makeApiKey(db, project.id, ["prompts:read"])).key;
  const handler = createGatewayHandler({ db, sink: new MemorySink(), promptCache: null });
  server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await fake?.close();
});

function gatewayChat(body: Record<string, unknown>) {
  return fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${gatewayKey}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [], ...body }),
  });
}

/** tRPC's HTTP batch of `calls` procedure calls (superjson inputs), as the console's batch link sends it. */
function trpcBatch(calls: { path: string; input: unknown }[]) {
  const body = Object.fromEntries(calls.map((call, i) => [i, { json: call.input }]));
  const url = `http://localhost/api/trpc/${calls.map((c) => c.path).join(",")}?batch=1`;
  return handleTrpc(
    new Request(url, {
      method: "POST",
      headers: { authorization: `Bearer ${tenantKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { db, session: async () => null },
  );
}

/** Tracks whether a promise has settled, without awaiting it. */
function watch<T>(promise: Promise<T>) {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

describe("template rendering off the event loop", () => {
  it("refuses five batched runaway previews on the time limit while another project's gateway request is served", async () => {
    const preview = { path: "prompts.preview", input: { type: "text", template: SLOW, variables: {} } };
    const runaways = watch(trpcBatch(Array.from({ length: 5 }, () => preview)));

    const answer = await gatewayChat({
      model: "prompt:support/reply",
      variables: { customer: "Ada", ticket: "Where is my order?" },
    });
    expect(answer.status).toBe(200);
    expect((await answer.json()).choices[0].message.content).toBe("ok");
    // Answered while the batch (five renders of ~80 s each, cut at 1 s) was still rendering.
    expect(runaways.settled).toBe(false);

    const results = (await (await runaways.promise).json()) as { error?: { json: { message: string } } }[];
    expect(results).toHaveLength(5);
    for (const result of results)
      expect(result.error?.json.message).toBe("Rendering took more than 1,000 ms (the time limit)");
  });

  it("refuses the 150-byte template that rendered 134 MB, naming the output limit", async () => {
    expect(HUGE.length).toBeLessThan(150);
    const rendering = tenant.prompts.preview({ type: "text", template: HUGE, variables: {} });
    await expect(rendering).rejects.toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message: "The template rendered more than 1,000,000 characters (the output limit)",
    });
  });

  it("refuses 300,000 few-shot items on the gateway with a 400 naming the variable and the limit", async () => {
    const examples = Array.from({ length: 300_000 }, () => 1);
    const response = await gatewayChat({ model: "prompt:few-shot@latest", variables: { examples, question: "?" } });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.message).toBe("variables.examples: variables hold more than 10,000 list items and fields in all");
    expect(error.param).toBe("variables.examples");
    // Within the bounds the same prompt renders.
    const small = await gatewayChat({
      model: "prompt:few-shot@latest",
      variables: { examples: [1, 2], question: "?" },
    });
    expect(small.status).toBe(200);
  });

  it(`refuses a tRPC batch of more than ${MAX_TRPC_BATCH} calls with a 400 naming the limit, before running any`, async () => {
    const call = { path: "prompts.preview", input: { type: "text", template: "x", variables: {} } };
    const refused = await trpcBatch(Array.from({ length: MAX_TRPC_BATCH + 1 }, () => call));
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toBe(
      `A batch holds at most ${MAX_TRPC_BATCH} calls; this one has ${MAX_TRPC_BATCH + 1}`,
    );
    const allowed = await trpcBatch(Array.from({ length: MAX_TRPC_BATCH }, () => call));
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toHaveLength(MAX_TRPC_BATCH);
  });
});
