import type { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { toDomainError } from "@/server/errors";
import { PromptCache } from "@/server/modules/prompts/cache";
import { type CompiledPrompt, fetchPrompt } from "@/server/modules/prompts/fetch";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";

let db: Db;
let url: string;
let fixture: Awaited<ReturnType<typeof makeProject>>;
const caches: PromptCache<CompiledPrompt>[] = [];
withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});
beforeAll(async () => {
  fixture = await makeProject(db);
});
afterAll(() => Promise.all(caches.map((c) => c.close())));
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

const FEW_SHOT = [
  {
    role: "system" as const,
    content: "You classify support tickets.{% if chain_of_thought | default(false) %} Think step by step.{% endif %}",
  },
  {
    role: "user" as const,
    content:
      "{% for ex in examples %}Ticket: {{ ex.input }}\nLabel: {{ ex.label }}\n{% endfor %}Ticket: {{ ticket }}\nLabel:",
  },
];

describe("prompts", () => {
  it("versions a few-shot chat prompt, diffs, labels, rolls back and renders", async () => {
    const created = await owner().prompts.create({
      name: "support/triage",
      type: "chat",
      template: FEW_SHOT,
      commitMessage: "first",
    });
    expect(created.version).toMatchObject({ version: 1, variables: ["chain_of_thought", "examples", "ticket"] });
    const promptId = created.promptId;
    const v2 = await owner().prompts.createVersion({
      promptId,
      template: [FEW_SHOT[0], { role: "user", content: `${FEW_SHOT[1].content} ` }],
      config: { params: { temperature: 0.2 } },
      commitMessage: "tweak",
    });
    const v3 = await owner().prompts.createVersion({
      promptId,
      template: [{ role: "system", content: "You are a careful support triager." }, FEW_SHOT[1]],
      commitMessage: "new system prompt",
    });
    expect([v2.version, v3.version]).toEqual([2, 3]);

    const diff = await owner().prompts.diff({ promptId, from: 1, to: 3 });
    expect(diff.identical).toBe(false);
    expect(diff.unified).toContain("+You are a careful support triager.");
    const configDiff = await owner().prompts.diff({ promptId, from: 1, to: 2 });
    expect(configDiff.config).toEqual([expect.objectContaining({ key: "params", change: "added" })]);

    await owner().prompts.moveLabel({ promptId, label: "production", version: 2 });
    await owner().prompts.moveLabel({ promptId, label: "production", version: 3, reason: "new system prompt" });
    await owner().prompts.moveLabel({ promptId, label: "production", version: 2, reason: "rollback" });
    const history = await owner().prompts.labelHistory({ promptId, label: "production" });
    expect(history.map((e) => [e.fromVersion, e.toVersion])).toEqual([
      [3, 2],
      [2, 3],
      [null, 2],
    ]);

    const rendered = await owner().prompts.render({
      name: "support/triage",
      variables: { ticket: "My invoice is wrong", examples: [{ input: "App crashes", label: "bug" }] },
    });
    expect(rendered.version).toBe(2);
    expect(rendered.messages).toEqual([
      { role: "system", content: "You classify support tickets." },
      { role: "user", content: "Ticket: App crashes\nLabel: bug\nTicket: My invoice is wrong\nLabel: " },
    ]);
    const withCot = await owner().prompts.render({
      name: "support/triage",
      version: 1,
      variables: { ticket: "x", examples: [], chain_of_thought: true },
    });
    expect(withCot.messages?.[0].content).toContain("Think step by step.");
  });

  it("refuses a render with a missing variable, naming it and its position, and saves nothing broken", async () => {
    await expect(owner().prompts.render({ name: "support/triage", variables: { examples: [] } })).rejects.toMatchObject(
      {
        code: "BAD_REQUEST",
        message: expect.stringMatching(/ticket/),
      },
    );
    const { promptId } = await owner().prompts.create({
      name: "broken-check",
      type: "text",
      template: "Hello {{ name }}",
    });
    const before = (await owner().prompts.get({ id: promptId })).versions.length;
    await expect(owner().prompts.createVersion({ promptId, template: "Hello {{ name " })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/line 1/),
    });
    await expect(owner().prompts.createVersion({ promptId, template: "{{ name | shout }}" })).rejects.toMatchObject({
      message: expect.stringMatching(/shout/),
    });
    await expect(
      owner().prompts.createVersion({ promptId, template: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect((await owner().prompts.get({ id: promptId })).versions.length).toBe(before);
    await expect(owner().prompts.create({ name: "broken-check", type: "text", template: "x" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("keeps a version's tools, tool_choice and response_format, and refuses an invalid tool naming its path", async () => {
    const tool = { type: "function", function: { name: "get_weather", parameters: { type: "object" } } };
    const { promptId } = await owner().prompts.create({
      name: "tools-check",
      type: "chat",
      template: [{ role: "system", content: "Use the tools." }],
      config: { tools: [tool], tool_choice: "auto", response_format: { type: "json_object" } },
    });
    const [stored] = (await owner().prompts.get({ id: promptId })).versions;
    expect(stored.config).toEqual({ tools: [tool], tool_choice: "auto", response_format: { type: "json_object" } });

    const refused = await owner()
      .prompts.createVersion({
        promptId,
        template: [{ role: "system", content: "x" }],
        config: { tools: [tool, { type: "function", function: { name: "get weather!" } }] },
      })
      .catch((e: unknown) => e as TRPCError);
    expect(refused).toMatchObject({ code: "BAD_REQUEST" });
    expect(getHTTPStatusCodeFromError(refused as TRPCError)).toBe(400);
    expect(toDomainError((refused as TRPCError).cause)?.issues.map((i) => i.path)).toEqual([
      "config.tools.1.function.name",
    ]);
    await expect(
      owner().prompts.createVersion({
        promptId,
        template: [{ role: "system", content: "x" }],
        config: { response_format: { type: "yaml" } as never },
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await owner().prompts.get({ id: promptId })).versions).toHaveLength(1);
  });

  it("resolves includes by label and refuses cycles", async () => {
    const tone = await owner().prompts.create({
      name: "shared/tone",
      type: "text",
      template: "Be kind to {{ customer }}.",
    });
    await owner().prompts.moveLabel({ promptId: tone.promptId, label: "production", version: 1 });
    await owner().prompts.create({
      name: "reply",
      type: "text",
      template: '{% include "shared/tone@production" %}\nAnswer: {{ answer }}',
    });
    await owner().prompts.create({ name: "reply-latest", type: "text", template: '{% include "shared/tone" %}' });
    const rendered = await owner().prompts.render({
      name: "reply",
      label: "latest",
      variables: { customer: "Ada", answer: "42" },
    });
    expect(rendered.text).toBe("Be kind to Ada.\nAnswer: 42");
    // tone v2 would include reply-latest, which includes tone's latest: v2 itself.
    await expect(
      owner().prompts.createVersion({ promptId: tone.promptId, template: '{% include "reply-latest" %}' }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/cycle|includes itself/i),
    });
  });

  it("refuses a version identical to the latest one (whatever the key order) and writes nothing", async () => {
    const { promptId } = await owner().prompts.create({
      name: "no-copies",
      type: "chat",
      template: [{ role: "user", content: "Hi {{ name }}" }],
      config: { model: "demo@production", params: { temperature: 0.2, maxTokens: 10 } },
    });
    const same = {
      promptId,
      template: [{ content: "Hi {{ name }}", role: "user" as const }],
      config: { params: { maxTokens: 10, temperature: 0.2 }, model: "demo@production" },
      commitMessage: "a different message does not make a different version",
    };
    const refused = await owner()
      .prompts.createVersion(same)
      .catch((e: TRPCError) => e);
    expect(refused).toMatchObject({ code: "CONFLICT" });
    expect(getHTTPStatusCodeFromError(refused as TRPCError)).toBe(409);
    expect((refused as TRPCError).message).toBe(
      "Nothing changed: the template and config are the same as v1, so no version was saved",
    );
    expect((await owner().prompts.get({ id: promptId })).versions.map((v) => v.version)).toEqual([1]);
    // A change in the config alone is a change.
    const v2 = await owner().prompts.createVersion({ ...same, config: { ...same.config, model: "demo@staging" } });
    expect(v2.version).toBe(2);
    // Compared with the latest: going back to v1's content is a new version, repeating v2's is not.
    await expect(owner().prompts.createVersion(same)).resolves.toMatchObject({ version: 3 });
    await expect(owner().prompts.createVersion(same)).rejects.toMatchObject({
      message: expect.stringContaining("same as v3"),
    });
  });

  it("lets only owners and admins move a protected label", async () => {
    const { promptId } = await owner().prompts.create({ name: "guarded", type: "text", template: "hi" });
    await owner().prompts.createVersion({ promptId, template: "hello" });
    await owner().prompts.moveLabel({ promptId, label: "production", version: 1 });
    await owner().prompts.protectLabel({ promptId, label: "production", protected: true });
    const editor = await addMember(db, fixture.project.id, "editor");
    const asEditor = callerFor(db, editor.principal, fixture.project.id);
    await expect(asEditor.prompts.moveLabel({ promptId, label: "production", version: 2 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(asEditor.prompts.moveLabel({ promptId, label: "staging", version: 2 })).resolves.toMatchObject({
      toVersion: 2,
    });
    await expect(asEditor.prompts.protectLabel({ promptId, label: "staging", protected: true })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(owner().prompts.moveLabel({ promptId, label: "production", version: 2 })).resolves.toMatchObject({
      toVersion: 2,
    });
  });

  it("lets an API key move a protected label by its prompts:protect scope, not by members:write", async () => {
    const { promptId } = await owner().prompts.create({ name: "guarded-by-key", type: "text", template: "hi" });
    await owner().prompts.createVersion({ promptId, template: "hello" });
    await owner().prompts.moveLabel({ promptId, label: "production", version: 1 });
    await owner().prompts.protectLabel({ promptId, label: "production", protected: true });
    const writeOnly = await makeApiKey(db, fixture.project.id, ["prompts:read", "prompts:write"]);
    const asWriteOnly = callerFor(db, writeOnly.principal, fixture.project.id);
    await expect(asWriteOnly.prompts.moveLabel({ promptId, label: "production", version: 2 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const protector = await makeApiKey(db, fixture.project.id, ["prompts:read", "prompts:write", "prompts:protect"]);
    const asProtector = callerFor(db, protector.principal, fixture.project.id);
    await expect(asProtector.prompts.moveLabel({ promptId, label: "production", version: 2 })).resolves.toMatchObject({
      toVersion: 2,
    });
  });

  it("serves fetch-by-label from the cache and drops it in every process when a label moves", async () => {
    const { promptId } = await owner().prompts.create({ name: "cached", type: "text", template: "one" });
    await owner().prompts.createVersion({ promptId, template: "two" });
    await owner().prompts.moveLabel({ promptId, label: "production", version: 1 });
    const a = new PromptCache<CompiledPrompt>(url);
    const b = new PromptCache<CompiledPrompt>(url);
    caches.push(a, b);
    await Promise.all([a.listen(), b.listen()]);
    const get = (cache: PromptCache<CompiledPrompt>) =>
      fetchPrompt({ db, cache, caller: { projectId: fixture.project.id } }, { name: "cached" });
    expect((await get(a)).version).toBe(1);
    expect((await get(b)).version).toBe(1);
    const hits = a.hits;
    expect((await get(a)).template).toBe("one");
    expect(a.hits).toBe(hits + 1);
    await owner().prompts.moveLabel({ promptId, label: "production", version: 2 });
    // The NOTIFY arrives asynchronously after commit; both processes must drop their entry.
    await expect.poll(async () => (await get(a)).version, { timeout: 3000 }).toBe(2);
    await expect.poll(async () => (await get(b)).version, { timeout: 3000 }).toBe(2);
  });

  it("answers REST fetches with an ETag and 304 when unchanged", async () => {
    const { key } = await makeApiKey(db, fixture.project.id);
    const get = (etag?: string) =>
      handleRest(
        new Request("http://localhost/api/rest/prompt?name=cached&label=production", {
          headers: { authorization: `Bearer ${key}`, ...(etag ? { "if-none-match": etag } : {}) },
        }),
        { db, session: async () => null },
      );
    const first = await get();
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f-]{36}"$/);
    expect((await first.json()).template).toBe("two");
    expect((await get(etag)).status).toBe(304);
    expect((await get('"stale"')).status).toBe(200);
  });
});
