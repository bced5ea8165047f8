/**
 * SSRF with read-back (issue 14, item 5): an editor registered `http://2130706433` and read what answered there
 * through error messages. Now: literal internal addresses are refused when a version is created, every address
 * is checked again when the gateway connects, and what an upstream sends back in an error is not repeated beyond
 * a short, cleaned message from its JSON.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { type FakeUpstream, sendJson, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { registerUpstreamModel } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

let db: Db;
let gateway: StandaloneGateway;
let internal: FakeUpstream;
let key: string;
let caller: ReturnType<typeof callerFor>;
let modelId: string;
const sink = new MemorySink();
const allowedByTests = process.env.SWITCHYARD_UPSTREAM_ALLOW;
withTestDatabase((created) => {
  db = created;
});

const SECRET = "AKIA-internal-secret";

beforeAll(async () => {
  // Something on the internal network that is not an LLM server: it answers pages and JSON of its own.
  internal = await startFakeUpstream((req, res) => {
    const said = (req.body as { messages: { content: string }[] }).messages[0].content;
    if (said === "html") {
      res.writeHead(500, { "content-type": "text/html" });
      res.end(`<html><body><h1>Admin</h1><pre>${SECRET}</pre></body></html>`);
      return;
    }
    if (said === "page") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`instance-id: i-0abc\naccess-key: ${SECRET}`);
      return;
    }
    const message = `bad\u0000request\r\n\u001b[31m${"x".repeat(500)}${SECRET}`;
    sendJson(res, 400, { error: { message } });
  });
  const { project, owner } = await makeProject(db, "SSRF");
  caller = callerFor(db, owner.principal, project.id);
  key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  modelId = (await registerUpstreamModel(caller, "internal", internal.origin)).id;
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
});
afterEach(() => {
  process.env.SWITCHYARD_UPSTREAM_ALLOW = allowedByTests;
});
afterAll(async () => {
  await gateway?.close();
});

async function refusal(endpointBaseUrl: string) {
  try {
    await caller.models.createVersion({ modelId, endpointBaseUrl, upstreamModelId: "m" });
  } catch (error) {
    return error as { code: string; message: string; cause?: unknown };
  }
  throw new Error(`${endpointBaseUrl} was accepted`);
}

describe("registering a version", () => {
  it.each([
    "http://2130706433/v1",
    "http://0x7f.1:8000/v1",
    "http://[::ffff:127.0.0.1]/v1",
    "http://169.254.169.254/latest/meta-data",
    "http://[fd00:ec2::254]/latest",
    "http://10.0.0.5:8000/v1",
    "http://localhost:11434/v1",
  ])("refuses %s with a 400 naming endpointBaseUrl", async (url) => {
    process.env.SWITCHYARD_UPSTREAM_ALLOW = "";
    const error = await refusal(url);
    expect(error.code).toBe("BAD_REQUEST");
    const domain = error.cause as DomainError;
    expect(domain).toBeInstanceOf(DomainError);
    expect(domain.issues[0].path).toBe("endpointBaseUrl");
    expect(domain.message).toContain("which upstream calls may not reach");
  });

  it.each([
    ["file:///etc/passwd", "endpointBaseUrl must be an http(s) URL"],
    ["https://api.example.com/v1?x=/admin", "must not contain '?' or '#'"],
    ["https://api.example.com/v1#frag", "must not contain '?' or '#'"],
  ])("stores only http(s) base URLs: %s is refused", async (url, message) => {
    const error = await refusal(url);
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain(message);
  });

  it("accepts an internal address the operator allowed", async () => {
    process.env.SWITCHYARD_UPSTREAM_ALLOW = "10.0.0.0/8";
    const version = await caller.models.createVersion({
      modelId,
      endpointBaseUrl: "http://10.0.0.5:8000/v1",
      upstreamModelId: "m",
    });
    expect(version.endpointBaseUrl).toBe("http://10.0.0.5:8000/v1");
  });
});

const ask = (content: string) =>
  fetch(`${gateway.origin}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "internal@1", messages: [{ role: "user", content }] }),
  });

describe("calling an upstream", () => {
  it("is refused at connect time when its address is not allowed (any more), and nothing is sent", async () => {
    process.env.SWITCHYARD_UPSTREAM_ALLOW = "";
    const before = internal.requests.length;
    const response = await ask("json");
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toMatch(
      /^upstream 127\.0\.0\.1:\d+ is a loopback address, which upstream calls may not reach/,
    );
    expect(internal.requests.length).toBe(before);
  });

  it("never repeats an error page", async () => {
    const response = await ask("html");
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).toContain("HTTP 500");
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("<html>");
  });

  it("never repeats a 200 answer that is not JSON", async () => {
    const response = await ask("page");
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).toContain("not JSON (text/plain");
    expect(text).not.toContain(SECRET);
  });

  it("repeats at most 200 characters of a JSON error message, control characters removed", async () => {
    const response = await ask("json");
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    const repeated = error.message.slice(error.message.indexOf("HTTP 400: ") + "HTTP 400: ".length);
    expect(repeated.startsWith("bad request [31mxxx")).toBe(true);
    expect(repeated.length).toBeLessThanOrEqual(201);
    expect([...error.message].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
    expect(error.message).not.toContain(SECRET);
  });
});
