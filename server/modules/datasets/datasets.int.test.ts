import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { handleDatasetExport, handleDatasetImport } from "@/server/modules/datasets/http";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { inlineVersion } from "@/server/testing/transforms";

let db: Db;
let key: string;
let fixture: Awaited<ReturnType<typeof makeProject>>;
withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  fixture = await makeProject(db);
  key = (await makeApiKey(db, fixture.project.id)).key;
});
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);
const deps = () => ({ db, session: async () => null });

const chat = (user: string, assistant: string) =>
  JSON.stringify({
    messages: [
      { role: "user", content: user },
      { role: "assistant", content: assistant },
    ],
  });
const VALID = [
  chat("Contact me at ada@example.com please", "Sure, I will write to ada@example.com."),
  chat("My card is 4111 1111 1111 1111", "Thanks."),
  chat("What is 2+2?", "4"),
  chat("What is 2+2?", "4"),
].join("\n");

async function upload(body: string, query: string) {
  const response = await handleDatasetImport(
    new Request(`http://localhost/api/rest/datasets/import?${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/jsonl" },
      body,
    }),
    deps(),
  );
  return { status: response.status, body: await response.json() };
}

async function exportText(versionId: string, split?: string) {
  const response = await handleDatasetExport(
    new Request(`http://localhost/api/rest/datasets/versions/${versionId}/export${split ? `?split=${split}` : ""}`, {
      headers: { authorization: `Bearer ${key}` },
    }),
    deps(),
    versionId,
  );
  expect(response.status).toBe(200);
  return { text: await response.text(), hash: response.headers.get("x-content-hash") };
}

describe("datasets", () => {
  it("imports a valid file, masks PII consistently, splits, exports and re-imports with the same hash", async () => {
    const imported = await upload(VALID, "name=support-chats");
    expect(imported.status).toBe(201);
    expect(imported.body.version).toMatchObject({ version: 1, exampleCount: 4, operation: "import" });
    const { datasetId } = imported.body;
    const v1 = imported.body.version.id;

    // OpenAI's heuristic: 4 examples × 3 target epochs < 100 → min(25, floor(100 / 4)) = 25 epochs.
    const estimate = await owner().datasets.estimate({ versionId: v1, pricePerMillionTokens: 8 });
    expect(estimate.epochs).toBe(25);
    expect(estimate.trainingTokens).toBe(estimate.billingTokens * 25);
    expect(estimate.cost).toBeCloseTo((estimate.trainingTokens / 1e6) * 8, 10);

    const masked = inlineVersion(await owner().datasets.transform({ operation: "mask", versionId: v1 }));
    expect(masked).toMatchObject({ version: 2, parentVersion: 1, operation: "mask", exampleCount: 4 });
    const first = await owner().datasets.examples({ versionId: masked.id, page: 1, pageSize: 10 });
    const messages = (first.items[0].example as { messages: { content: string }[] }).messages;
    expect(messages[0].content).toContain("<EMAIL_1>");
    expect(messages[1].content).toContain("<EMAIL_1>");
    expect(JSON.stringify(first.items)).not.toContain("4111 1111");
    expect((masked.report.masking as { examplesAffected: number }).examplesAffected).toBe(2);

    const deduped = inlineVersion(await owner().datasets.transform({ operation: "dedupe", versionId: masked.id }));
    expect(deduped.exampleCount).toBe(3);
    const split = inlineVersion(
      await owner().datasets.transform({ operation: "split", versionId: deduped.id, ratio: 0.5 }),
    );
    const counts = split.report.split as { train: number; validation: number };
    expect(counts.train + counts.validation).toBe(3);
    const again = inlineVersion(
      await owner().datasets.transform({ operation: "split", versionId: deduped.id, ratio: 0.5 }),
    );
    expect(again.report.split).toEqual(counts);

    const exported = await exportText(deduped.id);
    expect(exported.text.trim().split("\n")).toHaveLength(3);
    const reimported = await upload(exported.text, `datasetId=${datasetId}`);
    expect(reimported.status).toBe(201);
    expect(reimported.body.version.contentHash).toBe(deduped.contentHash);
    expect(exported.hash).toBe(deduped.contentHash);
    const train = await exportText(split.id, "train");
    expect(train.text.trim().split("\n").filter(Boolean)).toHaveLength(counts.train);

    const dataset = await owner().datasets.get({ id: datasetId });
    expect(dataset.versions.map((v) => v.version)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(dataset.versions[0].operation).toBe("import");
    expect(dataset.versions.find((v) => v.version === 3)?.parentVersion).toBe(2);
  });

  it("refuses a broken file in strict mode with line-numbered errors and stores nothing; lenient keeps the good lines", async () => {
    const broken = [
      chat("ok", "fine"),
      "{not json",
      "[1, 2]",
      JSON.stringify({ messages: [{ role: "user", content: "no answer" }] }),
      JSON.stringify({
        messages: [
          { role: "robot", content: "x" },
          { role: "assistant", content: "y" },
        ],
      }),
      JSON.stringify({
        messages: [
          { role: "user", content: "x", foo: 1 },
          { role: "assistant", content: "y" },
        ],
      }),
      JSON.stringify({ nope: true }),
      chat("also ok", "good"),
    ].join("\r\n");
    const before = await db.dataset.count();
    const strict = await upload(broken, "name=broken-strict&mode=strict");
    expect(strict.status).toBe(422);
    const issues = strict.body.error.issues as { path: string; message: string }[];
    for (const line of [2, 3, 4, 5, 6, 7])
      expect(
        issues.some((i) => i.message.startsWith(`line ${line}:`)),
        `line ${line}`,
      ).toBe(true);
    expect(issues.find((i) => i.message.startsWith("line 2:"))?.message).toMatch(/JSON/i);
    expect(
      strict.body.error.issues.some((i: { message: string }) => /line 6: .*unrecognized key 'foo'/.test(i.message)),
    ).toBe(true);
    expect(await db.dataset.count()).toBe(before);

    const lenient = await upload(broken, "name=broken-lenient&mode=lenient&format=chat");
    expect(lenient.status).toBe(422); // 6 of 8 lines invalid: above the lenient threshold
    const mostlyGood = [
      chat("a", "b"),
      chat("c", "d"),
      chat("e", "f"),
      chat("g", "h"),
      chat("i", "j"),
      chat("k", "l"),
      chat("m", "n"),
      chat("o", "p"),
      chat("q", "r"),
      chat("s", "t"),
      chat("u", "v"),
      "{oops",
    ].join("\n");
    const kept = await upload(mostlyGood, "name=mostly-good&mode=lenient");
    expect(kept.status).toBe(201);
    expect(kept.body.version.exampleCount).toBe(11);
    expect(kept.body.version.report.issues.rejectedLines).toBe(1);
  });

  it("reports k-anonymity over metadata fields and compares two versions", async () => {
    const rows = [
      {
        messages: [
          { role: "user", content: "a" },
          { role: "assistant", content: "b" },
        ],
        metadata: { city: "Oslo", age: 30 },
      },
      {
        messages: [
          { role: "user", content: "c" },
          { role: "assistant", content: "d" },
        ],
        metadata: { city: "Oslo", age: 30 },
      },
      {
        messages: [
          { role: "user", content: "e" },
          { role: "assistant", content: "f" },
        ],
        metadata: { city: "Bergen", age: 41 },
      },
    ];
    const imported = await upload(rows.map((r) => JSON.stringify(r)).join("\n"), "name=with-metadata");
    expect(imported.status).toBe(201);
    const v1 = imported.body.version.id;
    const report = await owner().datasets.kAnonymity({ versionId: v1, fields: ["city", "age"], k: 2 });
    expect(report).toMatchObject({ groups: 2, k: 1, groupsBelowK: 1, examplesBelowK: 1 });
    const filtered = inlineVersion(
      await owner().datasets.transform({ operation: "filter", versionId: v1, exclude: "^e$" }),
    );
    expect(filtered.exampleCount).toBe(2);
    const compared = await owner().datasets.compare({ a: v1, b: filtered.id });
    expect(compared).toMatchObject({ onlyInA: 1, onlyInB: 0, sameContent: false });
  });
});
