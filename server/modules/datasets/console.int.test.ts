/** What the console needs from the datasets API: exports by a plain browser link, and previews of transforms. */
import { beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { handleDatasetExport, handleDatasetImport } from "@/server/modules/datasets/http";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject, makeUser } from "@/server/testing/factories";
import { inlineVersion } from "@/server/testing/transforms";

let db: Db;
let key: string;
let fixture: Awaited<ReturnType<typeof makeProject>>;
let versionId: string;
let splitId: string;
let splitCounts: { train: number; validation: number };
withTestDatabase((created) => {
  db = created;
});

const chat = (user: string, assistant: string) =>
  JSON.stringify({
    messages: [
      { role: "user", content: user },
      { role: "assistant", content: assistant },
    ],
  });
const LINES = Array.from({ length: 40 }, (_, i) =>
  chat(i % 4 === 0 ? `Mail me at person${i}@example.com` : `Question ${i}`, `Answer ${i}`),
);

beforeAll(async () => {
  fixture = await makeProject(db, "Console datasets");
  key = (await makeApiKey(db, fixture.project.id)).key;
  const response = await handleDatasetImport(
    new Request("http://localhost/api/rest/datasets/import?name=tickets/2026", {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: `${LINES.join("\n")}\n`,
    }),
    { db, session: async () => null },
  );
  versionId = (await response.json()).version.id;
  const split = inlineVersion(await owner().datasets.transform({ operation: "split", versionId, ratio: 0.5 }));
  splitId = split.id;
  splitCounts = split.report.split as { train: number; validation: number };
});
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

/** A browser following the console's link: the session cookie, no project header, no API key. */
function browserExport(id: string, session: Principal | null, query = "") {
  return handleDatasetExport(
    new Request(`http://localhost/api/rest/datasets/versions/${id}/export${query}`),
    { db, session: async () => session },
    id,
  );
}
const lines = (text: string) => text.split("\n").filter(Boolean);

describe("export from the browser", () => {
  it("a member's session exports the version's own project, whole or one split, named after dataset, version and split", async () => {
    const all = await browserExport(splitId, fixture.owner.principal);
    expect(all.status).toBe(200);
    expect(all.headers.get("content-disposition")).toBe('attachment; filename="tickets_2026-v2-all.jsonl"');
    expect(lines(await all.text())).toHaveLength(40);

    const train = await browserExport(splitId, fixture.owner.principal, "?split=train");
    expect(train.headers.get("content-disposition")).toBe('attachment; filename="tickets_2026-v2-train.jsonl"');
    expect(lines(await train.text())).toHaveLength(splitCounts.train);
    const validation = await browserExport(splitId, fixture.owner.principal, "?split=validation");
    expect(lines(await validation.text())).toHaveLength(splitCounts.validation);
    expect(splitCounts.train).toBeGreaterThan(0);
    expect(splitCounts.validation).toBeGreaterThan(0);

    // A viewer reads datasets, so a viewer may export too.
    const viewer = await addMember(db, fixture.project.id, "viewer");
    expect((await browserExport(splitId, viewer.principal)).status).toBe(200);
  });

  it("refuses strangers, signed-out browsers, unknown versions and unknown splits with clear 4xx", async () => {
    const stranger = await makeUser(db);
    const refused = await browserExport(splitId, stranger.principal);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toMatch(/not a member/);

    expect((await browserExport(splitId, null)).status).toBe(401);
    const unknown = await browserExport("00000000-0000-4000-8000-000000000000", fixture.owner.principal);
    expect(unknown.status).toBe(404);
    expect((await browserExport("00000000-0000-4000-8000-000000000000", null)).status).toBe(401);

    const badSplit = await browserExport(splitId, fixture.owner.principal, "?split=test");
    expect(badSplit.status).toBe(400);
    expect((await badSplit.json()).error.message).toMatch(/split must be all, train or validation/);
  });

  it("an API key keeps working, and cannot reach another project's version", async () => {
    const withKey = await handleDatasetExport(
      new Request(`http://localhost/api/rest/datasets/versions/${splitId}/export?split=train`, {
        headers: { authorization: `Bearer ${key}` },
      }),
      { db, session: async () => null },
      splitId,
    );
    expect(lines(await withKey.text())).toHaveLength(splitCounts.train);
    const other = await makeProject(db, "Other");
    const otherKey = (await makeApiKey(db, other.project.id)).key;
    const foreign = await handleDatasetExport(
      new Request(`http://localhost/api/rest/datasets/versions/${splitId}/export`, {
        headers: { authorization: `Bearer ${otherKey}` },
      }),
      { db, session: async () => null },
      splitId,
    );
    expect(foreign.status).toBe(404);
  });
});

describe("transform previews", () => {
  it("a split preview counts what the split makes, and writes nothing", async () => {
    const before = await owner().datasets.get({
      id: (await db.datasetVersion.findUniqueOrThrow({ where: { id: versionId } })).datasetId,
    });
    const preview = await owner().datasets.preview({ operation: "split", versionId, ratio: 0.5 });
    expect(preview).toMatchObject({ operation: "split", parentExamples: 40, examples: 40 });
    expect(preview.report.split).toEqual(splitCounts);
    const after = await owner().datasets.get({ id: before.id });
    expect(after.versions).toHaveLength(before.versions.length);
  });

  it("a mask preview counts by kind and shows the first changed examples before and after", async () => {
    const preview = await owner().datasets.preview({ operation: "mask", versionId });
    expect(preview.report.masking).toMatchObject({ examples: 40, examplesAffected: 10 });
    expect(preview.report.masking?.occurrences.EMAIL).toBe(10);
    expect(preview.samples).toHaveLength(3);
    expect(preview.samples.map((s) => s.position)).toEqual([0, 4, 8]);
    expect(preview.samples[0].before.messages[0].content).toBe("Mail me at person0@example.com");
    expect(preview.samples[0].after.messages[0].content).toBe("Mail me at <EMAIL_1>");
  });

  it("a filter preview counts kept and dropped; a bad pattern and a merge preview are 400s", async () => {
    const preview = await owner().datasets.preview({ operation: "filter", versionId, include: "example\\.com" });
    expect(preview.examples).toBe(10);
    expect(preview.report.dropped?.no_include_match).toBe(30);
    await expect(owner().datasets.preview({ operation: "filter", versionId, include: "(a" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      owner().datasets.preview({ operation: "merge", versionId, otherVersionIds: [splitId] }),
    ).rejects.toThrow(/Merge has no preview/);
  });
});
