/** "Add to dataset" from logged requests: new datasets, appended versions, request ids kept, refusals named. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { readExamples } from "@/server/modules/datasets/versions";
import { makeEntry } from "@/server/modules/request-log/testing";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

let db: Db;
let url: string;
let writer: RequestLogWriter;
let projectId: string;
let owner: ReturnType<typeof callerFor>;
const ids: Record<string, string> = {};

withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
  // The procedure reads the log through the process's request-log pool (DATABASE_URL).
  process.env.DATABASE_URL = createdUrl;
});

beforeAll(async () => {
  const made = await makeProject(db, "From requests");
  projectId = made.project.id;
  owner = callerFor(db, made.owner.principal, projectId);
  const other = await makeProject(db, "Someone else");
  const chat = (content: string, answer: string) => ({
    requestBody: {
      model: "fake-gpt",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: content }] },
      ],
    },
    responseBody: { text: answer, finishReason: "stop" },
  });
  const entries = {
    first: makeEntry({ projectId, requestedModel: "fake-gpt", ...chat("Capital of France?", "Paris") }),
    second: makeEntry({ projectId, requestedModel: "fake-gpt", ...chat("2+2?", "4") }),
    anthropic: makeEntry({
      projectId,
      path: "/v1/messages",
      requestBody: { system: "Terse.", messages: [{ role: "user", content: "Hi" }] },
      responseBody: { text: "Hello", finishReason: "stop" },
    }),
    noBody: makeEntry({ projectId }),
    failed: makeEntry({ projectId, status: 502, ...chat("x", ""), responseBody: null }),
    image: makeEntry({
      projectId,
      requestBody: {
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }],
      },
      responseBody: { text: "A cat", finishReason: "stop" },
    }),
    tools: makeEntry({
      projectId,
      requestBody: { messages: [{ role: "user", content: "weather?" }] },
      responseBody: {
        text: "",
        finishReason: "tool_calls",
        toolCalls: [{ id: "c1", name: "weather", arguments: "{}" }],
      },
    }),
    foreign: makeEntry({ projectId: other.project.id, ...chat("secret", "hidden") }),
  };
  for (const [name, entry] of Object.entries(entries)) ids[name] = entry.id;
  writer = new RequestLogWriter({ connectionString: url, batchSize: 10 });
  for (const entry of Object.values(entries)) writer.record(entry);
  await writer.flush();
});

afterAll(async () => {
  await writer?.close();
});

const examplesOf = async (versionId: string) => {
  const out = [];
  for await (const row of readExamples(db, versionId)) out.push(row.example);
  return out;
};

describe("datasets.addFromRequests", () => {
  it("makes a new chat dataset: the request's messages, the answer last, metadata.request_id kept", async () => {
    const version = await owner.datasets.addFromRequests({ requestIds: [ids.first, ids.anthropic], name: "from-log" });
    expect(version).toMatchObject({
      version: 1,
      operation: "from_requests",
      exampleCount: 2,
      added: 2,
      parentId: null,
    });
    expect(version.params.requestIds).toEqual([ids.first, ids.anthropic]);
    expect(await examplesOf(version.id)).toEqual([
      {
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Capital of France?" },
          { role: "assistant", content: "Paris" },
        ],
        metadata: { request_id: ids.first, model: "fake-gpt" },
      },
      {
        messages: [
          { role: "system", content: "Terse." },
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
        ],
        metadata: { request_id: ids.anthropic, model: "support-bot@production" },
      },
    ]);
  });

  it("appends to an existing chat dataset as a new version sharing the old rows", async () => {
    const first = await owner.datasets.addFromRequests({ requestIds: [ids.first], name: "append-me" });
    const second = await owner.datasets.addFromRequests({ requestIds: [ids.second], datasetId: first.datasetId });
    expect(second).toMatchObject({ version: 2, parentId: first.id, parentVersion: 1, exampleCount: 2, added: 1 });
    const examples = await examplesOf(second.id);
    expect(examples.map((e) => e.metadata?.request_id)).toEqual([ids.first, ids.second]);
    const shared = await db.datasetVersionExample.findFirst({ where: { versionId: second.id, position: 0 } });
    expect(shared?.sourceVersionId).toBe(first.id);
    const audit = await db.auditLog.findFirst({ where: { targetId: second.id } });
    expect(audit?.action).toBe("dataset.from_requests");
  });

  it("refuses, naming each request and why, and writes nothing", async () => {
    const before = await db.datasetVersion.count();
    const refused = await owner.datasets
      .addFromRequests({
        requestIds: [ids.first, ids.noBody, ids.failed, ids.image, ids.tools, ids.foreign],
        name: "never",
      })
      .then(
        () => null,
        (e: { code: string; message: string; cause: { issues: { path: string; message: string }[] } }) => e,
      );
    expect(refused?.code).toBe("BAD_REQUEST");
    const messages = refused?.cause.issues.map((i) => `${i.path} ${i.message}`);
    expect(messages).toEqual([
      `requestIds.1 Request ${ids.noBody} cannot be added: its body was not logged (turn on body logging in Settings → General for new requests)`,
      `requestIds.2 Request ${ids.failed} cannot be added: it failed (HTTP 502): there is no answer to keep`,
      `requestIds.3 Request ${ids.image} cannot be added: message 1 has image_url content (only text can go into a chat dataset)`,
      `requestIds.4 Request ${ids.tools} cannot be added: its answer called tools (chat datasets hold text answers)`,
      `requestIds.5 Request ${ids.foreign} is not in this project's log`,
    ]);
    expect(await db.datasetVersion.count()).toBe(before);
    expect(await db.dataset.count({ where: { name: "never" } })).toBe(0);
  });

  it("needs monitoring:read besides datasets:write, and a name or a dataset", async () => {
    const key = await makeApiKey(db, projectId, ["datasets:write"]);
    const asKey = callerFor(db, key.principal, projectId);
    await expect(asKey.datasets.addFromRequests({ requestIds: [ids.first], name: "k" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/monitoring:read/),
    });
    await expect(owner.datasets.addFromRequests({ requestIds: [ids.first] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
