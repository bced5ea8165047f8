/** The REST surface's handling of bad input: precise messages, right statuses, nothing written. */
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { streamRunResponse } from "@/server/modules/runs/sse";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";

let db: Db;
let key: string;

withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  const { project } = await makeProject(db);
  key = (await makeApiKey(db, project.id)).key;
});

function rest(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return handleRest(
    new Request(`http://localhost/api/rest${path}`, {
      method,
      body,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    }),
    { db, session: async () => null },
  );
}

describe("REST errors", () => {
  it("creates a key and returns it once (201-style success)", async () => {
    const response = await rest("POST", "/api-keys", JSON.stringify({ name: "from-rest", scopes: ["models:read"] }));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.key).toMatch(/^sy_/);
    expect(body.scopes).toEqual(["models:read"]);
  });

  it("names the offending field for wrong types and unknown values", async () => {
    const before = await db.apiKey.count();
    const response = await rest("POST", "/api-keys", JSON.stringify({ name: 42, scopes: ["models:read", "nope"] }));
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.code).toBe("VALIDATION");
    expect(error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["name", "scopes.1"]);
    expect(error.message).toMatch(/^(name|scopes\.1): /);
    expect(await db.apiKey.count()).toBe(before);
  });

  it("refuses malformed JSON with 400 and writes nothing", async () => {
    const before = await db.apiKey.count();
    const response = await rest("POST", "/api-keys", '{"name": "x", "scopes": [');
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.message).toMatch(/JSON|parse/i);
    expect(await db.apiKey.count()).toBe(before);
  });

  it("answers 404 for unknown ids and unknown routes", async () => {
    const missing = await rest("POST", "/api-keys/00000000-0000-4000-8000-000000000000/revoke", "{}");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("API key"),
    });
    const route = await rest("GET", "/no-such-thing");
    expect(route.status).toBe(404);
  });

  it("rejects a query parameter of the wrong type, naming it", async () => {
    const response = await rest("GET", "/audit?page=abc");
    expect(response.status).toBe(400);
    expect((await response.json()).error.issues[0]).toMatchObject({ path: "page" });
    const ok = await rest("GET", "/api-keys?includeRevoked=false");
    expect(ok.status).toBe(200);
    const bad = await rest("GET", "/api-keys?includeRevoked=maybe");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.issues[0]).toMatchObject({
      path: "includeRevoked",
      message: "must be true or false",
    });
  });

  it("refuses a NUL or a lone surrogate in any field (body, query, path) with 400 naming it, writing nothing", async () => {
    const before = await db.model.count();
    const cases: [string, string, string | undefined, string][] = [
      [
        "POST",
        "/models",
        JSON.stringify({ name: "m", provider: "anthropic", task: "chat", description: "a\u0000b" }),
        "description",
      ],
      [
        "POST",
        "/models",
        JSON.stringify({ name: "m", provider: "anthropic", task: "chat", tags: ["ok", "\ud800"] }),
        "tags.1",
      ],
      ["POST", "/models", '{"name":"m","provider":"anthropic","task":"chat","license":"x\\\\u0000\\u0000"}', "license"],
      ["GET", "/models?search=%00", undefined, "search"],
      ["GET", "/audit?action=a%00", undefined, "action"],
      ["GET", "/prompt?name=greeter&label=%00", undefined, "label"],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await rest(method, path, body);
      expect(response.status, `${method} ${path} ${body}`).toBe(400);
      const { error } = await response.json();
      expect(error.issues[0].path).toBe(field);
      expect(error.message).toMatch(
        new RegExp(`^${field.replace(".", "\\.")}: contains a (NUL character|lone UTF-16 surrogate)`),
      );
    }
    expect(await db.model.count()).toBe(before);
    // An escaped backslash before "u0000" is just text; an escaped surrogate pair is an ordinary character.
    const text = await rest(
      "POST",
      "/models",
      '{"name":"t","provider":"anthropic","task":"chat","license":"a\\\\u0000"}',
    );
    expect(text.status).toBe(200);
    const emoji = await rest(
      "POST",
      "/models",
      '{"name":"m","provider":"anthropic","task":"chat","description":"\ud83d\ude00"}',
    );
    expect(emoji.status).toBe(200);
    expect((await emoji.json()).description).toBe("😀");
  });

  it("refuses unstorable text on the routes outside the router too (playground stream)", async () => {
    for (const [body, field] of [
      [{ model: "m\u0000", input: { prompt: "x" } }, "model"],
      [{ model: "m", input: { messages: [{ role: "user", content: "\udfff" }] } }, "input.messages.0.content"],
    ] as const) {
      const response = await streamRunResponse(
        new Request("http://localhost/api/rest/playground/stream", {
          method: "POST",
          body: JSON.stringify(body),
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        }),
        { db, session: async () => null },
      );
      expect(response.status).toBe(400);
      expect((await response.json()).error.issues[0].path).toBe(field);
    }
  });

  it("refuses version numbers past the database's integers with 400 naming the field", async () => {
    const model = await (
      await rest("POST", "/models", JSON.stringify({ name: "versions", provider: "anthropic", task: "chat" }))
    ).json();
    const prompt = await (
      await rest("POST", "/prompts", JSON.stringify({ name: "greeter", type: "text", template: "Hi" }))
    ).json();
    const label = await rest(
      "PUT",
      `/prompts/${prompt.promptId}/labels/production`,
      JSON.stringify({ version: 2 ** 31 }),
    );
    expect(label.status).toBe(400);
    expect((await label.json()).error.issues[0].path).toBe("version");
    const fetched = await rest("GET", "/prompt?name=greeter&version=99999999999");
    expect(fetched.status).toBe(400);
    expect((await fetched.json()).error.issues[0].path).toBe("version");
    const run = await rest(
      "POST",
      "/playground/runs",
      JSON.stringify({ configs: [{ model: `${model.name}@99999999999999999999` }], input: { prompt: "x" } }),
    );
    expect(run.status).toBeLessThan(500);
  });

  it("refuses oversized bodies with 413", async () => {
    const response = await rest("POST", "/api-keys", JSON.stringify({ name: "x".repeat(2_000_000), scopes: [] }));
    expect(response.status).toBe(413);
  });
});
