/**
 * The address policy where it matters, when a connection is made: literal addresses, names resolved by the
 * system (localhost) and names a resolver answers differently than at registration (DNS rebinding); the allow
 * list; and the hop headers every call carries.
 */
import { Agent, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllowList } from "./address-policy";
import { HOP_HEADER, INSTANCE_ID, VIA_HEADER } from "./hops";
import { OpenAICompatibleProvider } from "./openai-compatible";
import { closeAllFakes, type FakeUpstream, sendJson, startFakeUpstream } from "./testing/fake-upstream";
import { guardedConnector, type Resolve } from "./transport";

const allowedByTests = process.env.SWITCHYARD_UPSTREAM_ALLOW;
afterEach(async () => {
  process.env.SWITCHYARD_UPSTREAM_ALLOW = allowedByTests;
  await closeAllFakes();
});

const answer = { choices: [{ index: 0, message: { content: "hi" }, finish_reason: "stop" }] };
const chat = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };

const fake = () => startFakeUpstream((_req, res) => sendJson(res, 200, answer));

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("upstream calls by default", () => {
  it("refuse a loopback address at connect time, whatever was registered, and call nothing", async () => {
    const upstream = await fake();
    process.env.SWITCHYARD_UPSTREAM_ALLOW = "";
    const port = new URL(upstream.origin).port;
    for (const baseUrl of [
      `${upstream.origin}/v1`,
      `http://2130706433:${port}/v1`,
      `http://[::ffff:127.0.0.1]:${port}/v1`,
    ]) {
      const error = await failure(new OpenAICompatibleProvider({ baseUrl }).chat(chat));
      expect(error, baseUrl).toMatchObject({ code: "FORBIDDEN" });
      expect(error.message).toContain("is a loopback address, which upstream calls may not reach");
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it("refuse a name that resolves to loopback (localhost through the system resolver)", async () => {
    const upstream = await fake();
    process.env.SWITCHYARD_UPSTREAM_ALLOW = "";
    const baseUrl = `http://localhost:${new URL(upstream.origin).port}/v1`;
    const error = await failure(new OpenAICompatibleProvider({ baseUrl }).chat(chat));
    expect(error).toMatchObject({ code: "FORBIDDEN" });
    expect(error.message).toMatch(/^upstream localhost resolves to a loopback address/);
    expect(upstream.requests).toHaveLength(0);
  });

  it("reach what SWITCHYARD_UPSTREAM_ALLOW lists", async () => {
    const upstream = await fake();
    process.env.SWITCHYARD_UPSTREAM_ALLOW = "127.0.0.1/32";
    const result = await new OpenAICompatibleProvider({ baseUrl: `${upstream.origin}/v1` }).chat(chat);
    expect(result.text).toBe("hi");
  });
});

describe("a name resolved at connect time (DNS rebinding)", () => {
  const none = parseAllowList("", "TEST");
  /** A resolver that answers `addresses` for every name, like a hostile DNS server after registration. */
  const resolver =
    (...addresses: string[]): Resolve =>
    (_hostname, _options, callback) =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
      );

  async function call(upstream: FakeUpstream, resolve: Resolve, allow = none) {
    const agent = new Agent({ connect: guardedConnector(() => allow, { resolve }) });
    try {
      const { statusCode, body } = await request(`http://llm.example.test:${new URL(upstream.origin).port}/v1`, {
        dispatcher: agent,
      });
      await body.dump();
      return statusCode;
    } finally {
      await agent.close();
    }
  }

  it("is refused when it resolves to loopback or link-local, or when any one of its addresses does", async () => {
    const upstream = await fake();
    for (const resolve of [resolver("127.0.0.1"), resolver("169.254.169.254"), resolver("8.8.8.8", "::1")]) {
      const error = await failure(call(upstream, resolve));
      expect(error).toMatchObject({ code: "FORBIDDEN" });
      expect(error.message).toContain("llm.example.test resolves to a");
      expect(error.message).not.toMatch(/127\.0|169\.254|::1/);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it("connects when the name, or the range it resolves into, is allowed", async () => {
    const upstream = await fake();
    expect(await call(upstream, resolver("127.0.0.1"), parseAllowList("llm.example.test", "TEST"))).toBe(200);
    expect(await call(upstream, resolver("127.0.0.1"), parseAllowList("127.0.0.0/8", "TEST"))).toBe(200);
  });
});

describe("hop headers", () => {
  it("say how many gateways a call has passed and which", async () => {
    const upstream = await fake();
    const provider = new OpenAICompatibleProvider({ baseUrl: `${upstream.origin}/v1` });
    await provider.chat(chat);
    await provider.chat(chat, { requester: { projectId: "p", keyId: null, hops: 1, via: ["0123456789abcdef"] } });
    expect(upstream.requests.map((r) => [r.headers[HOP_HEADER], r.headers[VIA_HEADER]])).toEqual([
      ["1", INSTANCE_ID],
      ["2", `0123456789abcdef, ${INSTANCE_ID}`],
    ]);
  });
});
