import { describe, expect, it } from "vitest";
import { errorFromNetwork, errorFromStatus, parseRetryAfter, upstreamMessage } from "./errors";

describe("upstreamMessage", () => {
  it("finds the message in each upstream's error shape", () => {
    expect(upstreamMessage('{"error":{"message":"openai says"}}')).toBe("openai says");
    expect(upstreamMessage('{"type":"error","error":{"type":"x","message":"anthropic says"}}')).toBe("anthropic says");
    expect(upstreamMessage('{"object":"error","message":"vllm says"}')).toBe("vllm says");
    expect(upstreamMessage('{"error":"tgi or ollama says","error_type":"validation"}')).toBe("tgi or ollama says");
    expect(upstreamMessage('{"detail":"fastapi says"}')).toBe("fastapi says");
    expect(upstreamMessage("")).toBeNull();
  });

  it("repeats at most 200 characters of a JSON message, control characters removed, and never a body that is not JSON", () => {
    expect(upstreamMessage(JSON.stringify({ error: { message: "x".repeat(2000) } }))).toBe(`${"x".repeat(200)}…`);
    expect(upstreamMessage(JSON.stringify({ error: { message: "line\r\nbreak\u0000\u001b[31mred\u2028" } }))).toBe(
      "line break [31mred",
    );
    expect(upstreamMessage("plain text")).toBeNull();
    expect(upstreamMessage("<html><body>instance-id: i-0abc, secret metadata</body></html>")).toBeNull();
    expect(upstreamMessage('{"Code":"Success","AccessKeyId":"AKIA"}')).toBeNull();
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  it("reads seconds, HTTP dates and OpenAI's retry-after-ms", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "3" }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" }), now)).toBe(30_000);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "250", "retry-after": "1" }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }), now)).toBeNull();
    expect(parseRetryAfter(new Headers(), now)).toBeNull();
  });
});

describe("errorFromStatus", () => {
  it("scrubs the API key from messages it repeats", () => {
    const error = errorFromStatus(400, new Headers(), '{"error":{"message":"bad key sk-1 in body"}}', "h", "sk-1");
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain("bad key [redacted] in body");
  });
});

describe("errorFromNetwork", () => {
  it("maps DNS failures to UNAVAILABLE naming the host", () => {
    const dns = Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } });
    const error = errorFromNetwork(dns, "llm.internal:8000", "connect");
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toBe("upstream llm.internal:8000 is unreachable (ENOTFOUND)");
  });

  it("maps a connection lost mid-response to UPSTREAM", () => {
    const lost = Object.assign(new TypeError("terminated"), { cause: { code: "UND_ERR_SOCKET" } });
    const error = errorFromNetwork(lost, "h:1", "read");
    expect(error.code).toBe("UPSTREAM");
    expect(error.message).toContain("mid-response (UND_ERR_SOCKET)");
  });

  it("never repeats a network error's own message, which names the address and port it tried", () => {
    const raw = new Error("connect ECONNRESET 10.1.2.3:6379 - Local (10.0.0.5:51234)");
    const error = errorFromNetwork(raw, "llm.example.com", "connect");
    expect(error.message).toBe("request to upstream llm.example.com failed (network error)");
    expect(error.message).not.toMatch(/10\.\d|6379/);
  });
});

describe("a request loop refused upstream", () => {
  it("is not retried: another try would loop again", () => {
    const error = errorFromStatus(508, new Headers(), '{"error":{"message":"request loop"}}', "gw:1");
    expect(error).toMatchObject({ code: "UPSTREAM", retryable: false, upstreamStatus: 508 });
    expect(error.message).toContain("refused the request as a loop");
  });
});
