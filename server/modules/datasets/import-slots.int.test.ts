// Imports hold a database connection for as long as their upload lasts: one project's slow uploads take at most
// SWITCHYARD_IMPORTS_PER_PROJECT (2) slots, so they cannot leave another project without connections.
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { handleDatasetImport } from "@/server/modules/datasets/http";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";

let db: Db;
let keyA: string;
let keyB: string;
withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  keyA = (await makeApiKey(db, (await makeProject(db, "Uploader A")).project.id)).key;
  keyB = (await makeApiKey(db, (await makeProject(db, "Uploader B")).project.id)).key;
});

const line = (i: number) =>
  `${JSON.stringify({
    messages: [
      { role: "user", content: `q${i}` },
      { role: "assistant", content: `a${i}` },
    ],
  })}\n`;

/** An upload whose first line is sent at once and whose rest waits until `finish()`. */
function slowUpload(key: string, name: string) {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let sent = 0;
  let started!: () => void;
  const reading = new Promise<void>((resolve) => {
    started = resolve;
  });
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === 1) {
        started();
        await gate;
      }
      if (sent === 3) return controller.close();
      controller.enqueue(new TextEncoder().encode(line(sent)));
      sent++;
    },
  });
  const answer = upload(key, name, body);
  return { answer, reading, finish };
}

async function upload(key: string, name: string, body: BodyInit) {
  const response = await handleDatasetImport(
    new Request(`http://localhost/api/rest/datasets/import?name=${name}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/jsonl" },
      body,
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit),
    { db, session: async () => null },
  );
  return { status: response.status, body: await response.json() };
}

describe("concurrent dataset imports", () => {
  it("are bounded per project with a 429 naming the limit; other projects still import; slots come back", async () => {
    const first = slowUpload(keyA, "a-1");
    const second = slowUpload(keyA, "a-2");
    await Promise.all([first.reading, second.reading]);

    const third = await upload(keyA, "a-3", line(0));
    expect(third.status).toBe(429);
    expect(third.body.error.message).toMatch(/already has 2 dataset imports running .*SWITCHYARD_IMPORTS_PER_PROJECT/);

    const other = await upload(keyB, "b-1", line(0));
    expect(other.status).toBe(201);

    first.finish();
    second.finish();
    expect((await first.answer).status).toBe(201);
    expect((await second.answer).status).toBe(201);
    const again = await upload(keyA, "a-4", line(0));
    expect(again.status).toBe(201);
  });
});
