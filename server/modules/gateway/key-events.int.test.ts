/**
 * Revoking a key, or changing its limits, reaches a running gateway at once
 * (LISTEN/NOTIFY), not after the key cache's TTL — here set to a minute, so
 * only the notification can explain a prompt refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { MemorySink } from "./testing/memory-sink";

let db: Db;
let url: string;
let gateway: StandaloneGateway;
withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});

beforeAll(async () => {
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink: new MemorySink(),
    keyCacheOptions: { ttlMs: 60_000 },
    changesUrl: url,
  });
});
afterAll(async () => {
  await gateway?.close();
});

const listModels = (key: string) =>
  fetch(`${gateway.origin}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((res) => res.status);

/** The status once it differs from `from`, or `from` after 5 s. */
async function statusChange(key: string, from: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const status = await listModels(key);
    if (status !== from || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("key changes reach the gateway's cache", () => {
  it("refuses a revoked key at once, though the cache would trust it for a minute", async () => {
    const { project, owner } = await makeProject(db, "Revocation");
    const { key, row } = await makeApiKey(db, project.id, ["gateway:invoke"]);
    const other = await makeApiKey(db, project.id, ["gateway:invoke"]);
    expect(await listModels(key)).toBe(200);
    expect(await listModels(other.key)).toBe(200);

    await callerFor(db, owner.principal, project.id).apiKeys.revoke({ id: row.id });
    expect(await statusChange(key, 200)).toBe(401);
    // Only that key was dropped.
    expect(await listModels(other.key)).toBe(200);
  });

  it("applies a new limit at once", async () => {
    const { project, owner } = await makeProject(db, "Limits");
    const { key, row } = await makeApiKey(db, project.id, ["gateway:invoke"]);
    expect(await listModels(key)).toBe(200);
    await callerFor(db, owner.principal, project.id).apiKeys.updateLimits({ id: row.id, requestsPerMinute: 1 });
    expect(await statusChange(key, 200)).toBe(429);
  });
});
