// Feedback on logged requests through REST (API keys) and tRPC (console users): scopes, validation as 4xx with
// no partial write, 404 outside the project, and a console user's score replaced rather than repeated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { makeEntry } from "@/server/modules/request-log/testing";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";

let db: Db;
let url: string;
let projectId: string;
let otherProjectId: string;
let writerKey: string;
let readOnlyKey: string;
const request = makeEntry({ startedAt: new Date(Date.now() - 60_000) });
const otherRequest = makeEntry({ startedAt: new Date(Date.now() - 60_000) });

withTestDatabase(async (created, createdUrl) => {
  db = created;
  url = createdUrl;
  projectId = (await makeProject(db)).project.id;
  otherProjectId = (await makeProject(db, "Other")).project.id;
  writerKey = (await makeApiKey(db, projectId, ["feedback:write", "monitoring:read"])).key;
  readOnlyKey = (await makeApiKey(db, projectId, ["monitoring:read"])).key;
});

beforeAll(async () => {
  const writer = new RequestLogWriter({ connectionString: url });
  writer.record({ ...request, projectId });
  writer.record({ ...otherRequest, projectId: otherProjectId });
  await writer.close();
});

afterAll(async () => {});

const rest = (key: string, method: string, path: string, body?: unknown) =>
  handleRest(
    new Request(`http://localhost/api/rest${path}`, {
      method,
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    }),
    { db, session: async () => null },
  );
const count = () => db.requestFeedback.count({ where: { projectId } });

describe("POST /api/rest/requests/{id}/feedback", () => {
  it("stores a score with comment and end user, and lists it with a per-name summary", async () => {
    const res = await rest(writerKey, "POST", `/requests/${request.id}/feedback`, {
      name: "rating",
      value: 4,
      comment: "Helpful",
      endUser: "customer-7",
    });
    expect(res.status).toBe(200);
    const created = await res.json();
    expect(created).toMatchObject({ requestId: request.id, name: "rating", value: 4, endUser: "customer-7" });
    // A key's scores are appended (it reports for many end users).
    await rest(writerKey, "POST", `/requests/${request.id}/feedback`, { name: "rating", value: 2 });
    const list = await rest(readOnlyKey, "GET", `/requests/${request.id}/feedback`);
    expect(list.status).toBe(200);
    const body = (await list.json()) as { items: { value: number }[]; summary: unknown[] };
    expect(body.items.map((i) => i.value)).toEqual([2, 4]);
    expect(body.summary).toEqual([{ name: "rating", count: 2, mean: 3 }]);
    const row = await db.requestFeedback.findFirstOrThrow({ where: { id: created.id } });
    expect(row.requestStartedAt.getTime()).toBe(request.startedAt.getTime());
  });

  it("refuses bad input with a 400 naming the field, writing nothing", async () => {
    const before = await count();
    const cases: [unknown, string][] = [
      [{ name: "rating", value: "four" }, "value"],
      [{ name: "rating", value: 1e12 }, "value"],
      [{ name: "Rating!", value: 1 }, "name"],
      [{ name: "", value: 1 }, "name"],
      [{ value: 1 }, "name"],
      [{ name: "rating", value: 1, comment: "x".repeat(2001) }, "comment"],
      [{ name: "rating", value: 1, extra: true }, "extra"],
    ];
    for (const [body, field] of cases) {
      const res = await rest(writerKey, "POST", `/requests/${request.id}/feedback`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const text = await res.text();
      if (field) expect(text).toContain(field);
    }
    const nan = await rest(writerKey, "POST", `/requests/${request.id}/feedback`, '{"name":"rating","value":NaN}');
    expect(nan.status).toBe(400);
    const badId = await rest(writerKey, "POST", "/requests/not-a-uuid/feedback", { name: "rating", value: 1 });
    expect(badId.status).toBe(400);
    expect(await count()).toBe(before);
  });

  it("404 for an unknown request id and for another project's request", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", otherRequest.id]) {
      const res = await rest(writerKey, "POST", `/requests/${id}/feedback`, { name: "thumbs", value: 1 });
      expect(res.status).toBe(404);
    }
  });

  it("403 for a key without feedback:write, 401 without a key", async () => {
    const res = await rest(readOnlyKey, "POST", `/requests/${request.id}/feedback`, { name: "thumbs", value: 1 });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("feedback:write");
    const anonymous = await handleRest(
      new Request(`http://localhost/api/rest/requests/${request.id}/feedback`, {
        method: "POST",
        body: JSON.stringify({ name: "thumbs", value: 1 }),
        headers: { "content-type": "application/json" },
      }),
      { db, session: async () => null },
    );
    expect(anonymous.status).toBe(401);
  });
});

describe("feedback from the console (tRPC)", () => {
  it("an editor's thumbs on a request is one row: giving it again replaces it", async () => {
    const editor = await addMember(db, projectId, "editor");
    const trpc = callerFor(db, editor.principal, projectId);
    await trpc.requests.addFeedback({ id: request.id, name: "thumbs", value: 1 });
    const again = await trpc.requests.addFeedback({ id: request.id, name: "thumbs", value: 0, comment: "Wrong" });
    expect(again).toMatchObject({ value: 0, comment: "Wrong", mine: true, givenBy: editor.user.email });
    const list = await trpc.requests.feedback({ id: request.id });
    const thumbs = list.items.filter((i) => i.name === "thumbs");
    expect(thumbs).toHaveLength(1);
    expect(thumbs[0]).toMatchObject({ value: 0, mine: true, givenBy: editor.user.email });
  });

  it("a viewer can read feedback but not give it", async () => {
    const viewer = await addMember(db, projectId, "viewer");
    const trpc = callerFor(db, viewer.principal, projectId);
    await expect(trpc.requests.feedback({ id: request.id })).resolves.toBeTruthy();
    await expect(trpc.requests.addFeedback({ id: request.id, name: "thumbs", value: 1 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("bad input is BAD_REQUEST", async () => {
    const editor = await addMember(db, projectId, "editor");
    const trpc = callerFor(db, editor.principal, projectId);
    await expect(
      trpc.requests.addFeedback({ id: request.id, name: "thumbs", value: Number.POSITIVE_INFINITY }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
