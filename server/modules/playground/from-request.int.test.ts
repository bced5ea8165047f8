/** "Open in playground" from a logged request: project-scoped, scope-checked, body restored or said missing. */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { playgroundDraftFromRequest } from "@/server/modules/playground/from-request";
import { makeEntry } from "@/server/modules/request-log/testing";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

let db: Db;
let url: string;
let pool: pg.Pool;
let writer: RequestLogWriter;
let projectA: Awaited<ReturnType<typeof makeProject>>;
let projectB: Awaited<ReturnType<typeof makeProject>>;
const ids = { logged: "", unlogged: "", prompt: "", other: "" };

withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});

beforeAll(async () => {
  projectA = await makeProject(db);
  projectB = await makeProject(db);
  const owner = callerFor(db, projectA.owner.principal, projectA.project.id);
  const model = await owner.models.create({ name: "fake-gpt", provider: "openai-compatible", task: "chat" });
  const version = await owner.models.createVersion({
    modelId: model.id,
    endpointBaseUrl: "http://127.0.0.1:9/v1",
    upstreamModelId: "m",
  });
  const a = projectA.project.id;
  const entries = [
    makeEntry({
      projectId: a,
      requestedModel: "fake-gpt@production",
      requestBody: {
        model: "fake-gpt@production",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Mail <EMAIL_1>" },
        ],
        temperature: 0.3,
        max_tokens: 12,
      },
    }),
    makeEntry({ projectId: a, requestedModel: "fake-gpt" }),
    makeEntry({
      projectId: a,
      requestedModel: "prompt:greeter@production",
      modelVersionId: version.id,
      requestBody: { messages: [{ role: "user", content: "Hi" }] },
    }),
    makeEntry({ projectId: projectB.project.id, requestBody: { messages: [{ role: "user", content: "secret" }] } }),
  ];
  [ids.logged, ids.unlogged, ids.prompt, ids.other] = entries.map((e) => e.id);
  writer = new RequestLogWriter({ connectionString: url, batchSize: 10 });
  for (const entry of entries) writer.record(entry);
  await writer.flush();
  pool = new pg.Pool({ connectionString: url, max: 2 });
});

afterAll(async () => {
  await writer?.close();
  await pool?.end();
});

const draft = (projectId: string, id: string) =>
  playgroundDraftFromRequest({ db, pool, caller: { projectId } }, { id });

describe("playground draft from a logged request", () => {
  it("restores the model, the conversation and the parameters from the stored body", async () => {
    expect(await draft(projectA.project.id, ids.logged)).toEqual({
      requestId: ids.logged,
      model: "fake-gpt@production",
      bodyLogged: true,
      input: { mode: "chat", system: "Be brief.", messages: [{ role: "user", content: "Mail <EMAIL_1>" }], prompt: "" },
      params: { temperature: 0.3, maxTokens: 12 },
      leftOut: [],
    });
  });

  it("says the body was not logged, and still restores the model", async () => {
    expect(await draft(projectA.project.id, ids.unlogged)).toMatchObject({
      model: "fake-gpt",
      bodyLogged: false,
      input: null,
    });
  });

  it("names the model version that served a prompt's request", async () => {
    expect((await draft(projectA.project.id, ids.prompt)).model).toBe("fake-gpt@1");
  });

  it("never reads another project's request, and needs monitoring:read", async () => {
    await expect(draft(projectA.project.id, ids.other)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const runOnly = await makeApiKey(db, projectA.project.id, ["playground:run"]);
    await expect(
      callerFor(db, runOnly.principal, projectA.project.id).playground.fromRequest({ id: ids.logged }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
