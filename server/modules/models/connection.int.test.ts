import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import {
  closeAllFakes,
  closedPort,
  sendJson,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeProject } from "@/server/testing/factories";

let db: Db;
let fixture: Awaited<ReturnType<typeof makeProject>>;
withTestDatabase((created) => {
  db = created;
});
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

/** An OpenAI-compatible upstream that knows one model and one key. */
const completion = {
  id: "cmpl-1",
  object: "chat.completion",
  model: "served-model",
  choices: [{ index: 0, message: { role: "assistant", content: "p" }, finish_reason: "length" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};
let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
let modelId: string;

beforeAll(async () => {
  fixture = await makeProject(db);
  upstream = await startFakeUpstream((req, res) => {
    if (req.headers.authorization !== "Bearer right-key")
      return sendJson(res, 401, { error: { message: "Incorrect API key provided: wr***ey" } });
    if ((req.body as { model?: string }).model !== "served-model")
      return sendJson(res, 404, { error: { message: "The model does not exist" } });
    sendJson(res, 200, completion);
  });
  const model = await owner().models.create({ name: "upstream", provider: "openai-compatible", task: "chat" });
  modelId = model.id;
});
afterAll(closeAllFakes);

describe("test connection", () => {
  it("calls the upstream once with a one-token request and says it is reachable, with the latency", async () => {
    const auditBefore = await db.auditLog.count();
    const result = await owner().models.testConnection({
      modelId,
      endpointBaseUrl: `${upstream.origin}/v1`,
      upstreamModelId: "served-model",
      apiKey: "right-key",
    });
    expect(result).toMatchObject({ outcome: "reachable", httpStatus: 200 });
    expect(result.message).toContain("Reachable");
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const sent = await upstream.received(upstream.requests.length - 1);
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.body).toMatchObject({ model: "served-model", max_tokens: 1 });
    // Nothing is written: no version, no audit entry.
    expect(await db.modelVersion.count({ where: { modelId } })).toBe(0);
    expect(await db.auditLog.count()).toBe(auditBefore);
  });

  it("says the key was refused on a 401, without repeating the key", async () => {
    const result = await owner().models.testConnection({
      modelId,
      endpointBaseUrl: `${upstream.origin}/v1`,
      upstreamModelId: "served-model",
      apiKey: "wrong-key",
    });
    expect(result).toMatchObject({ outcome: "auth_failed", httpStatus: 401 });
    expect(result.message).toContain("refused the API key");
    expect(result.message).not.toContain("wrong-key");
  });

  it("says the model was not found on a 404", async () => {
    const result = await owner().models.testConnection({
      modelId,
      endpointBaseUrl: `${upstream.origin}/v1`,
      upstreamModelId: "no-such-model",
      apiKey: "right-key",
    });
    expect(result).toMatchObject({ outcome: "not_found", httpStatus: 404 });
    expect(result.message).toContain('"no-such-model"');
  });

  it("says an address where nothing listens is unreachable", async () => {
    const port = await closedPort();
    const result = await owner().models.testConnection({
      modelId,
      endpointBaseUrl: `http://127.0.0.1:${port}/v1`,
      upstreamModelId: "served-model",
    });
    expect(result).toMatchObject({ outcome: "unreachable", httpStatus: null });
    expect(result.message).toMatch(/^Unreachable: .*ECONNREFUSED/);
  });

  it("tests a stored version with its own (encrypted) key", async () => {
    const version = await owner().models.createVersion({
      modelId,
      endpointBaseUrl: `${upstream.origin}/v1`,
      upstreamModelId: "served-model",
      apiKey: "right-key",
    });
    const result = await owner().models.testConnection({ modelId, versionId: version.id });
    expect(result.outcome).toBe("reachable");
  });

  it("refuses a form without an endpoint with the field named, and a viewer with the scope named", async () => {
    await expect(owner().models.testConnection({ modelId, upstreamModelId: "x" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("endpoint"),
    });
    const viewer = await addMember(db, fixture.project.id, "viewer");
    await expect(
      callerFor(db, viewer.principal, fixture.project.id).models.testConnection({
        modelId,
        endpointBaseUrl: `${upstream.origin}/v1`,
        upstreamModelId: "served-model",
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("models:write") });
  });
});
