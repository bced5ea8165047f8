import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeProject } from "@/server/testing/factories";

let db: Db;
let fixture: Awaited<ReturnType<typeof makeProject>>;
withTestDatabase((created) => {
  db = created;
});
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);
let between: string;

beforeAll(async () => {
  fixture = await makeProject(db);
  const model = await owner().models.create({ name: "audited", provider: "openai-compatible", task: "chat" });
  await owner().models.update({ id: model.id, license: "mit" });
  // Entries on either side of a known instant, by their stored time (no sleeping).
  const first = await db.auditLog.findFirstOrThrow({
    where: { action: "model.create", projectId: fixture.project.id },
  });
  await db.auditLog.update({ where: { id: first.id }, data: { createdAt: new Date(Date.now() - 3_600_000) } });
  between = new Date(Date.now() - 1_800_000).toISOString();
  await owner().apiKeys.create({ name: "audit-key", scopes: ["models:read"] });
});

describe("audit log filters", () => {
  it("offers the actions the project recorded, and who acted", async () => {
    const facets = await owner().audit.facets({});
    expect(facets.actions).toEqual(expect.arrayContaining(["apiKey.create", "model.create", "model.update"]));
    expect(facets.actions).toEqual([...facets.actions].sort());
    expect(facets.actors).toContain(fixture.owner.user.email);
  });

  it("filters by resource, by action, by actor and by time range", async () => {
    const models = await owner().audit.list({ resource: "model" });
    expect(models.items.map((e) => e.action).sort()).toEqual(["model.create", "model.update"]);
    const keys = await owner().audit.list({ resource: "apiKey" });
    expect(keys.items.map((e) => e.action)).toEqual(["apiKey.create"]);
    const exact = await owner().audit.list({ resource: "model", action: "model.update" });
    expect(exact.total).toBe(1);
    const nobody = await owner().audit.list({ actor: "nobody@example.com" });
    expect(nobody.total).toBe(0);
    const before = await owner().audit.list({ to: between });
    expect(before.items.map((e) => e.action)).toContain("model.create");
    expect(before.items.map((e) => e.action)).not.toContain("model.update");
    const after = await owner().audit.list({ from: between, resource: "model" });
    expect(after.items.map((e) => e.action)).toEqual(["model.update"]);
  });

  it("refuses a reversed range and a malformed time with the field named", async () => {
    await expect(owner().audit.list({ from: between, to: new Date(0).toISOString() })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("to must not be before from"),
    });
    await expect(owner().audit.list({ from: "yesterday" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("from must be an ISO date-time"),
    });
  });

  it("shows a viewer the log but not another project's entries", async () => {
    const viewer = await addMember(db, fixture.project.id, "viewer");
    const other = await makeProject(db, "Other");
    await callerFor(db, other.owner.principal, other.project.id).models.create({
      name: "elsewhere",
      provider: "anthropic",
      task: "chat",
    });
    const facets = await callerFor(db, viewer.principal, fixture.project.id).audit.facets({});
    expect(facets.actors).not.toContain(other.owner.user.email);
  });
});
