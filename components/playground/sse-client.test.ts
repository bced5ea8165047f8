import { describe, expect, it } from "vitest";
import { createStreamEventParser, type StreamEvent } from "./sse-client";

const stats = {
  device: "cpu",
  ttftMs: 12,
  tpotMs: 3,
  tokensPerSecond: 300,
  tokensIn: 4,
  tokensOut: 2,
  durationMs: 20,
  finishReason: "stop",
  costUsd: 0,
};

const stream = [
  'event: delta\ndata: {"text":"Hel"}\n\n',
  'event: delta\ndata: {"text":"lo \\n wörld"}\n\n',
  `event: done\ndata: ${JSON.stringify({ stats, runId: "run_1" })}\n\n`,
].join("");

const expected: StreamEvent[] = [
  { event: "delta", data: { text: "Hel" } },
  { event: "delta", data: { text: "lo \n wörld" } },
  { event: "done", data: { stats, runId: "run_1" } },
];

function parse(chunks: string[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  const parser = createStreamEventParser((event) => events.push(event));
  for (const chunk of chunks) parser.feed(chunk);
  return events;
}

describe("createStreamEventParser", () => {
  it("parses a stream that arrives in one chunk", () => {
    expect(parse([stream])).toEqual(expected);
  });

  it("parses the same events wherever the stream is split in two", () => {
    for (let at = 0; at <= stream.length; at++) {
      expect(parse([stream.slice(0, at), stream.slice(at)])).toEqual(expected);
    }
  });

  it("parses a stream that arrives one character at a time", () => {
    expect(parse([...stream])).toEqual(expected);
  });

  it("accepts CRLF line endings and error events", () => {
    const events = parse(['event: error\r\ndata: {"message":"boom","code":"UPSTREAM"}\r\n\r\n']);
    expect(events).toEqual([{ event: "error", data: { message: "boom", code: "UPSTREAM" } }]);
  });

  it("waits for the blank line that ends an event, and skips unnamed ones and comments", () => {
    expect(parse(['event: delta\ndata: {"text":"x"}\n'])).toEqual([]);
    expect(parse([': keep-alive\n\ndata: {"text":"x"}\n\n'])).toEqual([]);
  });
});
