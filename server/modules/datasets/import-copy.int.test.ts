// Imports stream into PostgreSQL with COPY inside one transaction; refused or
// broken uploads leave nothing; derived versions share example rows; values
// PostgreSQL cannot store are line errors; refusals list errors and warnings apart.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { handleDatasetExport, handleDatasetImport } from "@/server/modules/datasets/http";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { inlineVersion } from "@/server/testing/transforms";

let db: Db;
let sql: pg.Pool;
let key: string;
let fixture: Awaited<ReturnType<typeof makeProject>>;
withTestDatabase((created, url) => {
  db = created;
  sql = new pg.Pool({ connectionString: url, max: 2 });
});
beforeAll(async () => {
  fixture = await makeProject(db);
  key = (await makeApiKey(db, fixture.project.id)).key;
});
afterAll(() => sql?.end());
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);
const deps = () => ({ db, session: async () => null });

const chat = (user: string, assistant: string) =>
  JSON.stringify({
    messages: [
      { role: "user", content: user },
      { role: "assistant", content: assistant },
    ],
  });

async function upload(body: BodyInit, query: string) {
  const response = await handleDatasetImport(
    new Request(`http://localhost/api/rest/datasets/import?${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/jsonl" },
      body,
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit),
    deps(),
  );
  return { status: response.status, body: await response.json() };
}

const count = async (table: string) => Number((await sql.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
const everything = async () => ({
  datasets: await count("datasets"),
  versions: await count("dataset_versions"),
  examples: await count("dataset_examples"),
  members: await count("dataset_version_examples"),
  audit: await count("audit_log"),
});

describe("values PostgreSQL cannot store", () => {
  const lines = [
    chat("fine", "ok"),
    '{"messages":[{"role":"user","content":"nul \\u0000 here"},{"role":"assistant","content":"x"}]}',
    chat("also fine", "ok"),
    '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"lone \\ud800"}]}',
    ...Array.from({ length: 20 }, (_, i) => chat(`q${i}`, `a${i}`)),
  ].join("\n");

  it("strict: a 422 naming the lines, nothing stored", async () => {
    const before = await everything();
    const strict = await upload(lines, "name=nul-strict");
    expect(strict.status).toBe(422);
    expect(strict.body.error.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [2, "nul_character"],
      [4, "unpaired_surrogate"],
    ]);
    expect(strict.body.error.errors[0].message).toMatch(/^line 2: messages\[0\]\.content holds a NUL character/);
    expect(await everything()).toEqual(before);
  });

  it("lenient: the lines are skipped and counted", async () => {
    const lenient = await upload(lines, "name=nul-lenient&mode=lenient");
    expect(lenient.status).toBe(201);
    expect(lenient.body.version.exampleCount).toBe(22);
    expect(lenient.body.version.report.issues).toMatchObject({
      rejectedLines: 2,
      counts: { nul_character: 1, unpaired_surrogate: 1 },
    });
  });
});

describe("refusals", () => {
  it("strict: errors and warnings apart, with their counts, and says the list is truncated", async () => {
    const file = `\uFEFF${[chat("a", "b"), ...Array.from({ length: 130 }, (_, i) => `{broken ${i}`), "", chat("c", "d")].join("\r\n")}`;
    const { status, body } = await upload(file, "name=many-errors");
    expect(status).toBe(422);
    const { error } = body;
    expect(error).toMatchObject({ code: "UNPROCESSABLE", errorCount: 130, warningCount: 3, truncated: true });
    expect(error.errors).toHaveLength(100);
    expect(error.errors.every((e: { code: string }) => e.code === "invalid_json")).toBe(true);
    expect(error.warnings.map((w: { line: number; code: string }) => [w.line, w.code])).toEqual([
      [1, "bom"],
      [1, "crlf"],
      [132, "empty_line"],
    ]);
    expect(error.issues).toHaveLength(100);
    expect(error.issues.some((i: { message: string }) => /byte order|CRLF|empty line/.test(i.message))).toBe(false);

    const few = await upload([chat("a", "b"), "{bad", chat("c", "d")].join("\n"), "name=few-errors");
    expect(few.body.error).toMatchObject({ errorCount: 1, warningCount: 0, truncated: false });
  });

  it("a taken name is a 409 naming it, and nothing is stored", async () => {
    expect((await upload(chat("a", "b"), "name=taken")).status).toBe(201);
    const before = await everything();
    const again = await upload(chat("a", "b"), "name=taken");
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe("A dataset named 'taken' already exists");
    expect(await everything()).toEqual(before);
  });

  it("lenient: the rejected-line share is the caller's (default 10 %), and a refusal stores nothing", async () => {
    const file = [...Array.from({ length: 8 }, (_, i) => chat(`q${i}`, `a${i}`)), "{bad", "{worse"].join("\n");
    const before = await everything();
    const refused = await upload(file, "name=ratio&mode=lenient");
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain("2 of 10 lines are invalid (20 %), above the 10 % allowed");
    expect(await everything()).toEqual(before);
    const tooStrict = await upload(file, "name=ratio&mode=lenient&maxRejectedFraction=0.15");
    expect(tooStrict.status).toBe(422);
    const accepted = await upload(file, "name=ratio&mode=lenient&maxRejectedFraction=0.2");
    expect(accepted.status).toBe(201);
    expect(accepted.body.version).toMatchObject({ exampleCount: 8, params: { maxRejectedFraction: 0.2 } });
    const invalid = await upload(file, "name=ratio2&mode=lenient&maxRejectedFraction=2");
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.issues[0].path).toBe("maxRejectedFraction");
  });
});

describe("streaming into PostgreSQL", () => {
  it("COPYs rows while the upload is still arriving, in a transaction others cannot see", async () => {
    const encoder = new TextEncoder();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 50) await gate;
        if (sent === 60) return controller.close();
        const lines = Array.from({ length: 100 }, (_, i) => chat(`question ${sent * 100 + i}`, "answer"));
        controller.enqueue(encoder.encode(`${lines.join("\n")}\n`));
        sent++;
      },
    });
    const before = await everything();
    const pending = upload(body, "name=streamed");
    // Half the file is in; the rest waits behind the gate. PostgreSQL is already taking rows.
    for (;;) {
      const { rows } = await sql.query(
        `SELECT tuples_processed FROM pg_stat_progress_copy WHERE relid = 'dataset_examples'::regclass`,
      );
      if (rows.length > 0 && Number(rows[0].tuples_processed) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(sent).toBe(50);
    expect(await everything()).toEqual(before);
    release();
    const done = await pending;
    expect(done.status).toBe(201);
    expect(done.body.version.exampleCount).toBe(6000);
  });

  it("two imports into one dataset run side by side and are numbered in commit order", async () => {
    const first = await upload(chat("a", "b"), "name=side-by-side");
    const { datasetId } = first.body;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sent = 0;
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 5) await gate;
        if (sent === 10) return controller.close();
        controller.enqueue(new TextEncoder().encode(`${chat(`slow ${sent}`, "x")}\n`));
        sent++;
      },
    });
    const pending = upload(slow, `datasetId=${datasetId}`);
    while (sent < 5) await new Promise((resolve) => setTimeout(resolve, 10));
    // The slow upload holds its transaction open; a second import into the same dataset is not blocked by it.
    const quick = await upload(chat("quick", "x"), `datasetId=${datasetId}`);
    expect(quick.status).toBe(201);
    expect(quick.body.version.version).toBe(2);
    release();
    const done = await pending;
    expect(done.status).toBe(201);
    expect(done.body.version).toMatchObject({ version: 3, exampleCount: 10 });
  });

  it("an upload that breaks off leaves nothing", async () => {
    const encoder = new TextEncoder();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ === 20) return controller.error(new Error("connection reset"));
        controller.enqueue(encoder.encode(`${Array.from({ length: 100 }, () => chat("q", "a")).join("\n")}\n`));
      },
    });
    const before = await everything();
    await expect(upload(body, "name=broken-off")).rejects.toThrow(/connection reset/);
    expect(await everything()).toEqual(before);
  });
});

describe("derived versions", () => {
  it("share unchanged example rows with their parent; a mask adds rows only for what it changed", async () => {
    const file = [
      chat("Mail me at ada@example.com", "Sure, ada@example.com it is."),
      chat("What is 2+2?", "4"),
      chat("Call +44 20 7946 0958", "Calling."),
      chat("What is 2+2?", "4"),
      chat("Hello", "Hi"),
      chat("Bye", "Bye"),
    ].join("\n");
    const imported = await upload(file, "name=shared");
    expect(imported.status).toBe(201);
    const v1 = imported.body.version.id;
    const rowsOf = async (versionId: string) =>
      Number(
        (await sql.query("SELECT count(*) AS n FROM dataset_examples WHERE version_id = $1", [versionId])).rows[0].n,
      );
    expect(await rowsOf(v1)).toBe(6);

    const masked = inlineVersion(await owner().datasets.transform({ operation: "mask", versionId: v1 }));
    expect(masked.exampleCount).toBe(6);
    expect(await rowsOf(masked.id)).toBe(2);
    const deduped = inlineVersion(await owner().datasets.transform({ operation: "dedupe", versionId: masked.id }));
    const split = inlineVersion(
      await owner().datasets.transform({ operation: "split", versionId: deduped.id, ratio: 0.5 }),
    );
    const filtered = inlineVersion(
      await owner().datasets.transform({ operation: "filter", versionId: split.id, exclude: "bye" }),
    );
    const merged = inlineVersion(
      await owner().datasets.transform({
        operation: "merge",
        versionId: filtered.id,
        otherVersionIds: [v1],
        dedupe: false,
      }),
    );
    for (const derived of [deduped, split, filtered, merged]) expect(await rowsOf(derived.id)).toBe(0);
    expect(merged.exampleCount).toBe(4 + 6);
    const { rows } = await sql.query(
      `SELECT count(*) AS n FROM dataset_examples e JOIN dataset_versions v ON v.id = e.version_id
        WHERE v.dataset_id = $1`,
      [imported.body.datasetId],
    );
    expect(Number(rows[0].n)).toBe(8);

    // Readers see each version whole: browsing (with search and split), export, counts.
    const page = await owner().datasets.examples({ versionId: split.id, page: 1, pageSize: 10 });
    expect(page.total).toBe(5);
    expect(page.items.every((i) => i.split === "train" || i.split === "validation")).toBe(true);
    const found = await owner().datasets.examples({ versionId: masked.id, page: 1, pageSize: 10, search: "EMAIL_1" });
    expect(found.items.map((i) => i.position)).toEqual([0]);
    const response = await handleDatasetExport(
      new Request(`http://localhost/api/rest/datasets/versions/${merged.id}/export`, {
        headers: { authorization: `Bearer ${key}` },
      }),
      deps(),
      merged.id,
    );
    const exported = (await response.text()).trim().split("\n");
    expect(exported).toHaveLength(10);
    expect(exported[0]).toContain("<EMAIL_1>");
    expect(exported[4]).toContain("ada@example.com");
    expect(response.headers.get("x-content-hash")).toBe(merged.contentHash);
  });
});
