/**
 * A render that exhausts its worker's heap is a 422 naming the memory limit, and the pool goes on. In a file
 * of its own: the render pool reads its limits once per process, and here the time limit is far away, so on a
 * loaded machine (the list copies below take a second or more) only the memory limit can stop the render.
 */
import { beforeAll, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeProject } from "@/server/testing/factories";

process.env.SWITCHYARD_TEMPLATE_WORKERS = "2";
process.env.SWITCHYARD_TEMPLATE_TIMEOUT_MS = "60000";
process.env.SWITCHYARD_TEMPLATE_MEMORY_MB = "64";

/** Doubles a list 24 times: 2^25 items, a quarter of a gigabyte of references. */
const GREEDY =
  "{% set ns = namespace(l=[1, 2]) %}{% for i in range(24) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l | length }}";

let db: Db;
let tenant: ReturnType<typeof callerFor>;
withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  const { project, owner } = await makeProject(db, "Tenant A");
  tenant = callerFor(db, owner.principal, project.id);
});

it("ends a render that exhausts its worker's heap with a 422 naming the memory limit; the next render works", async () => {
  const rendering = tenant.prompts.preview({ type: "text", template: GREEDY, variables: {} });
  await expect(rendering).rejects.toMatchObject({
    code: "UNPROCESSABLE_CONTENT",
    message: "Rendering needed more than 64 MB of memory (the memory limit)",
  });
  const after = await tenant.prompts.preview({ type: "text", template: "Hi {{ name }}", variables: { name: "Ada" } });
  expect(after).toMatchObject({ text: "Hi Ada", error: null });
});
