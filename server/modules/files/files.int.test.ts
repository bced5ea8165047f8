/**
 * OpenAI's Files API on the gateway, driven by the unmodified `openai` SDK over real HTTP (the node:http mount),
 * plus the Fetch mount (what the Next route passes) with a real `Request`, and the functions the batch executor
 * calls. Bytes land in a real file store under a temporary SWITCHYARD_DATA_DIR.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { createGatewayHandler } from "@/server/modules/gateway/handler";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { MemorySink } from "@/server/modules/gateway/testing/memory-sink";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";
import { createStoredFile, openStoredFile, readBatchInput } from "./service";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-files-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
const work = await mkdtemp(path.join(tmpdir(), "switchyard-files-input-"));

let db: Db;
let gateway: StandaloneGateway;
let client: OpenAI;
let projectId: string;
let otherClient: OpenAI;
let readOnlyClient: OpenAI;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});

const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });

beforeAll(async () => {
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
  const { project } = await makeProject(db, "Files");
  projectId = project.id;
  client = sdk((await makeApiKey(db, project.id, ["gateway:invoke"])).key);
  readOnlyClient = sdk((await makeApiKey(db, project.id, ["prompts:read"])).key);
  const other = await makeProject(db, "Someone else");
  otherClient = sdk((await makeApiKey(db, other.project.id, ["gateway:invoke"])).key);
});
afterAll(async () => {
  await gateway?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env.SWITCHYARD_FILES_MAX_MB;
});

const line = (customId: string, content = "hi") =>
  JSON.stringify({
    custom_id: customId,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: "demo", messages: [{ role: "user", content }] },
  });

async function writeInput(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(work, name);
  await writeFile(file, content);
  return file;
}

/** Every file under the store (blobs and staging), so a refused upload can be shown to leave nothing. */
async function storedPaths(): Promise<string[]> {
  const root = path.join(dataDir, "files");
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe("/v1/files with the openai SDK", () => {
  it("uploads a batch file, retrieves it, gives its bytes back, deletes it", async () => {
    const content = `${line("a")}\n${line("b", "wörld")}\n`;
    const input = await writeInput("requests.jsonl", content);
    const created = await client.files.create({ file: createReadStream(input), purpose: "batch" });
    expect(created).toMatchObject({
      object: "file",
      bytes: Buffer.byteLength(content),
      filename: "requests.jsonl",
      purpose: "batch",
      status: "processed",
      status_details: null,
    });
    expect(created.id).toMatch(/^file-[A-Za-z0-9_-]{24}$/);
    // Batch input expires after 30 days unless the upload says otherwise.
    expect(created.expires_at).toBe(created.created_at + 30 * 24 * 3600);
    expect((await db.storedFile.findUniqueOrThrow({ where: { id: created.id } })).lineCount).toBe(2);

    expect(await client.files.retrieve(created.id)).toEqual(created);
    const response = await client.files.content(created.id);
    expect(response.headers.get("content-type")).toBe("application/jsonl");
    expect(Buffer.from(await response.arrayBuffer()).toString("utf8")).toBe(content);

    expect(await client.files.delete(created.id)).toEqual({ id: created.id, object: "file", deleted: true });
    await expect(client.files.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.files.content(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.files.delete(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    // Soft: the row stays for the batches that used it.
    expect((await db.storedFile.findUniqueOrThrow({ where: { id: created.id } })).deletedAt).not.toBeNull();
  });

  it("lists newest first, pages with after and limit, filters by purpose, hides deleted files", async () => {
    const ids: string[] = [];
    for (const name of ["one.txt", "two.txt", "three.txt"]) {
      const file = await client.files.create({
        file: createReadStream(await writeInput(name, `${name}\n`)),
        purpose: "user_data",
        expires_after: { anchor: "created_at", seconds: 3600 },
      });
      expect(file.expires_at).toBe(file.created_at + 3600);
      ids.push(file.id);
    }
    const first = await client.files.list({ limit: 2, purpose: "user_data" });
    expect(first.data.map((f) => f.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const second = await client.files.list({ limit: 2, purpose: "user_data", after: ids[1] });
    expect(second.data.map((f) => f.id)).toEqual([ids[0]]);
    expect(second.has_more).toBe(false);

    // The SDK's own paging walks every page.
    const walked: string[] = [];
    for await (const file of client.files.list({ limit: 1, purpose: "user_data", order: "asc" })) walked.push(file.id);
    expect(walked).toEqual(ids);

    await client.files.delete(ids[1]);
    expect((await client.files.list({ purpose: "user_data" })).data.map((f) => f.id)).toEqual([ids[2], ids[0]]);
    await expect(client.files.list({ limit: 0 } as never)).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("refuses a batch file with bad lines, naming every one, and stores nothing", async () => {
    const before = await storedPaths();
    const rows = await db.storedFile.count();
    const content = [line("a"), "{oops", line("a"), JSON.stringify({ custom_id: "c", method: "GET" }), line("d")].join(
      "\n",
    );
    const error = await client.files
      .create({ file: createReadStream(await writeInput("bad.jsonl", content)), purpose: "batch" })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const message = (error as InstanceType<typeof OpenAI.BadRequestError>).message;
    expect(message).toContain("3 lines are invalid");
    expect(message).toContain("line 2: is not valid JSON");
    expect(message).toContain('line 3: custom_id "a" was already used on line 1');
    expect(message).toContain('line 4: method must be "POST"');
    expect(message).not.toContain("line 5");
    expect(await db.storedFile.count()).toBe(rows);
    expect(await storedPaths()).toEqual(before);
  });

  it("refuses an oversize upload with 413, leaving no row and no blob", async () => {
    process.env.SWITCHYARD_FILES_MAX_MB = "0.001"; // 1048 bytes
    const before = await storedPaths();
    const rows = await db.storedFile.count();
    const big = Array.from({ length: 40 }, (_, i) => line(`id-${i}`)).join("\n");
    const error = await client.files
      .create({ file: createReadStream(await writeInput("big.jsonl", big)), purpose: "batch" })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain("SWITCHYARD_FILES_MAX_MB");
    // Far past the limit: refused by its declared length, before the body is read.
    const huge = await writeInput("huge.txt", Buffer.alloc(300 * 1024, 0x61));
    await expect(client.files.create({ file: createReadStream(huge), purpose: "user_data" })).rejects.toMatchObject({
      status: 413,
    });
    expect(await db.storedFile.count()).toBe(rows);
    expect(await storedPaths()).toEqual(before);
  });

  it("refuses an unknown purpose and an empty file by name", async () => {
    const input = await writeInput("x.txt", "x");
    await expect(client.files.create({ file: createReadStream(input), purpose: "weights" as never })).rejects.toThrow(
      /purpose must be one of batch, fine-tune/,
    );
    await expect(
      client.files.create({ file: createReadStream(await writeInput("empty.jsonl", "")), purpose: "batch" }),
    ).rejects.toThrow(/The file is empty/);
  });

  it("keeps each project's files to itself, and wants the gateway:invoke scope", async () => {
    const mine = await client.files.create({
      file: createReadStream(await writeInput("mine.jsonl", `${line("x")}\n`)),
      purpose: "batch",
    });
    await expect(otherClient.files.retrieve(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(otherClient.files.content(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(otherClient.files.delete(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await otherClient.files.list()).data).toEqual([]);
    expect((await client.files.retrieve(mine.id)).id).toBe(mine.id);

    await expect(readOnlyClient.files.list()).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(
      readOnlyClient.files.create({
        file: createReadStream(await writeInput("no.jsonl", line("x"))),
        purpose: "batch",
      }),
    ).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
  });
});

/** Polls until `check` holds (a condition, not a duration: the assertion is on what, not when). */
async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting until ${what}`);
}

/** Starts an upload over raw HTTP and sends only part of its body; the caller ends it. */
function partialUpload(key: string, declaredBody = 100_000) {
  const boundary = "----switchyard-test";
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\nContent-Type: text/plain\r\n\r\n`;
  const req = request(`${gateway.origin}/v1/files`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "content-length": String(head.length + declaredBody),
    },
  });
  const status = new Promise<number | null>((resolve) => {
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on("error", () => resolve(null));
  });
  req.write(head);
  req.write("x".repeat(10_000));
  return { req, status };
}

const staging = async () => (await storedPaths()).filter((file) => file.includes(`${path.sep}staging${path.sep}`));

describe("uploads in progress", () => {
  it("leaves no staging file behind when the client leaves mid-upload", async () => {
    const key = (await makeApiKey(db, projectId, ["gateway:invoke"])).key;
    expect(await staging()).toEqual([]);
    const upload = partialUpload(key);
    await until(async () => (await staging()).length === 1, "the upload is being staged");
    upload.req.destroy();
    await until(async () => (await staging()).length === 0, "the staged part is removed");
  });

  it("refuses a form cut short (no closing boundary) with a 400, leaving nothing", async () => {
    const key = (await makeApiKey(db, projectId, ["gateway:invoke"])).key;
    const upload = partialUpload(key, 10_000);
    upload.req.end();
    expect(await upload.status).toBe(400);
    expect(await staging()).toEqual([]);
    // A second file part that is cut short, too (it is skipped, not staged).
    const boundary = "----switchyard-test";
    const second = `\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="again.txt"\r\n\r\nzz`;
    const twice = partialUpload(key, 10_000 + Buffer.byteLength(second));
    twice.req.end(second);
    expect(await twice.status).toBe(400);
    expect(await staging()).toEqual([]);
  });

  it("gives one project at most 4 at once (429 past them), without touching another project's", async () => {
    const key = (await makeApiKey(db, projectId, ["gateway:invoke"])).key;
    const open = Array.from({ length: 4 }, () => partialUpload(key));
    await until(async () => (await staging()).length === 4, "four uploads are being staged");
    const refused = await client.files
      .create({ file: createReadStream(await writeInput("fifth.txt", "five")), purpose: "user_data" })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const theirs = await otherClient.files.create({
      file: createReadStream(await writeInput("theirs.txt", "theirs")),
      purpose: "user_data",
    });
    expect(theirs.bytes).toBe(6);
    for (const upload of open) upload.req.destroy();
    await until(async () => (await staging()).length === 0, "the open uploads are gone");
    // Their slots come back as each ends (just after its staging file goes): then uploads succeed again.
    const later = await writeInput("later.txt", "ok");
    await until(
      () =>
        client.files.create({ file: createReadStream(later), purpose: "user_data" }).then(
          (file) => file.bytes === 2,
          (error: unknown) => (error instanceof OpenAI.RateLimitError ? false : Promise.reject(error)),
        ),
      "an upload is accepted again",
    );
  });
});

describe("the Fetch mount (the Next route's Request)", () => {
  it("streams a multipart upload and the content back", async () => {
    const handler = createGatewayHandler({ db, sink, promptCache: null });
    const key = (await makeApiKey(db, projectId, ["gateway:invoke"])).key;
    const form = new FormData();
    form.append("purpose", "user_data");
    form.append("file", new Blob(["notes, ünïcode\n"]), "notes.txt");
    const auth = { authorization: `Bearer ${key}` };
    const upload = await handler(
      new Request("http://localhost/v1/files", { method: "POST", body: form, headers: auth }),
    );
    expect(upload.status).toBe(200);
    const file = (await upload.json()) as { id: string; bytes: number };
    expect(file.bytes).toBe(Buffer.byteLength("notes, ünïcode\n"));
    const content = await handler(new Request(`http://localhost/v1/files/${file.id}/content`, { headers: auth }));
    expect(content.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await content.text()).toBe("notes, ünïcode\n");
  });
});

describe("for the batch executor", () => {
  it("writes output files, opens them, and reads batch input line by line", async () => {
    const output = await createStoredFile(db, {
      projectId,
      apiKeyId: null,
      purpose: "batch_output",
      filename: "batch_output.jsonl",
      source: '{"id":"1"}\n{"id":"2"}\n',
    });
    expect(output).toMatchObject({ object: "file", purpose: "batch_output", bytes: 22, expires_at: null });
    expect((await db.storedFile.findUniqueOrThrow({ where: { id: output.id } })).lineCount).toBe(2);
    const opened = await openStoredFile(db, projectId, output.id);
    let text = "";
    for await (const chunk of opened.stream()) text += chunk.toString();
    expect(text).toBe('{"id":"1"}\n{"id":"2"}\n');
    const other = await makeProject(db, "Not yours");
    await expect(openStoredFile(db, other.project.id, output.id)).rejects.toMatchObject({ code: "NOT_FOUND" });

    const fromDisk = await createStoredFile(db, {
      projectId,
      apiKeyId: null,
      purpose: "batch",
      filename: "input.jsonl",
      source: { path: await writeInput("input.jsonl", `${line("first")}\r\n${line("second", "two")}`) },
    });
    const lines = [];
    for await (const request of readBatchInput(db, projectId, fromDisk.id)) lines.push(request);
    expect(lines.map((l) => [l.line, l.customId, l.method, l.url])).toEqual([
      [1, "first", "POST", "/v1/chat/completions"],
      [2, "second", "POST", "/v1/chat/completions"],
    ]);
    expect(lines[1].body).toEqual({ model: "demo", messages: [{ role: "user", content: "two" }] });
    const notBatch = readBatchInput(db, projectId, output.id);
    await expect(notBatch.next()).rejects.toBeInstanceOf(DomainError);
  });
});
