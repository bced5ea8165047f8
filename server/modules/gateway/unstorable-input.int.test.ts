/**
 * What PostgreSQL cannot store (NUL, lone surrogates) and version numbers past
 * any column are a 400 naming the field on `/v1`, never a 500, and the request
 * is still in the request log (written by the real writer to Postgres, the
 * logged strings sanitised).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { reply } from "./testing/chat-upstream";
import { registerUpstreamModel } from "./testing/fixtures";

let db: Db;
let url: string;
let writer: RequestLogWriter;
let upstream: FakeUpstream;
let gateway: StandaloneGateway;
let key: string;
withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});

beforeAll(async () => {
  upstream = await startFakeUpstream((req, res) => reply(req, res, ["ok"]));
  const { project, owner } = await makeProject(db, "Unstorable");
  const caller = callerFor(db, owner.principal, project.id);
  // Full body logging: the request body would be stored as sent, were it accepted.
  await caller.projects.updateSettings({ requestBodyLogging: "full" });
  await registerUpstreamModel(caller, "fake-gpt", upstream.origin);
  key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  writer = new RequestLogWriter({ connectionString: url, flushIntervalMs: 20 });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink: writer, promptCache: null });
});
afterAll(async () => {
  await gateway?.close();
  await writer?.close();
  await upstream?.close();
});

async function send(path: string, body: string, method = "POST") {
  const response = await fetch(`${gateway.origin}${path}`, {
    method,
    body: method === "POST" ? body : undefined,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  });
  const json = (await response.json()) as { error?: { message: string; param: string | null } };
  return { status: response.status, error: json.error, requestId: response.headers.get("x-request-id") };
}

const messages = (content: string) => JSON.stringify([{ role: "user", content }]).slice(1, -1);

describe("unstorable text on /v1", () => {
  it("is a 400 naming the field, wherever it is in the body, and the request is logged", async () => {
    const cases: [string, string, string][] = [
      ["/v1/chat/completions", `{"model":"fake-gpt","messages":[${messages("a\u0000b")}]}`, "messages.0.content"],
      ["/v1/chat/completions", '{"model":"fake-gpt\\u0000","messages":[{"role":"user","content":"hi"}]}', "model"],
      [
        "/v1/chat/completions",
        '{"model":"fake-gpt","messages":[{"role":"user","content":"hi"}],"user":"\\ud800"}',
        "user",
      ],
      ["/v1/chat/completions", '{"model":"fake-gpt","messages":[],"metadata":{"k\\u0000":"v"}}', "metadata.k\uFFFD"],
      ["/v1/completions", '{"model":"fake-gpt","prompt":["ok","\\udc00x"]}', "prompt.1"],
      ["/v1/embeddings", '{"model":"fake-gpt","input":"\\u0000"}', "input"],
      ["/v1/responses", '{"model":"fake-gpt","input":"x\\u0000"}', "input"],
      [
        "/v1/messages",
        '{"model":"fake-gpt","max_tokens":5,"messages":[{"role":"user","content":"\\u0000"}]}',
        "messages.0.content",
      ],
    ];
    const ids: string[] = [];
    for (const [path, body, param] of cases) {
      const answer = await send(path, body);
      expect(answer.status, body).toBe(400);
      if (path !== "/v1/messages") expect(answer.error?.param, body).toBe(param);
      expect(JSON.stringify(answer), body).toMatch(/NUL character|lone UTF-16 surrogate/);
      ids.push(answer.requestId!);
    }
    await writer.flush();
    const rows = await db.$queryRawUnsafe<{ id: string; status: number; requested_model: string | null }[]>(
      "SELECT id::text, status, requested_model FROM request_log WHERE id = ANY($1::uuid[])",
      ids,
    );
    expect(rows.map((r) => r.status)).toEqual(ids.map(() => 400));
    expect(rows.find((r) => r.id === ids[1])?.requested_model).toBe("fake-gpt\uFFFD");
    expect(rows.find((r) => r.id === ids[0])?.requested_model).toBe("fake-gpt");
  });

  it("lets an escaped surrogate pair (an ASCII-only encoder's emoji) through", async () => {
    const answer = await send(
      "/v1/chat/completions",
      '{"model":"fake-gpt","messages":[{"role":"user","content":"hi \\ud83d\\ude00"}]}',
    );
    expect(answer.status).toBe(200);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ messages: [{ content: "hi 😀" }] });
  });

  it("answers a version past any column, or a path id no name can hold, with a 4xx", async () => {
    const huge = await send(
      "/v1/chat/completions",
      '{"model":"fake-gpt@99999999999999999999","messages":[{"role":"user","content":"hi"}]}',
    );
    expect(huge).toMatchObject({ status: 400, error: { param: "model" } });
    expect(huge.error?.message).toMatch(/version numbers go up to 2147483647/);
    expect((await send("/v1/chat/completions", '{"model":"fake-gpt:99999999999","messages":[]}')).status).toBe(400);
    for (const path of ["/v1/models/%00", "/v1/models/fake%ED%A0%80", "/v1/responses/%00", "/v1/models/%zz"])
      expect((await send(path, "", "GET")).status, path).toBe(404);
  });
});
