import { describe, expect, it } from "vitest";
import { batchInputLines, outputRows, rowVariables } from "./prompt-over-dataset-lines";

const rows = [
  {
    position: 0,
    example: {
      messages: [
        { role: "system" as const, content: "Be brief" },
        { role: "user" as const, content: "Classify: great product" },
        { role: "assistant" as const, content: "old answer" },
      ],
    },
  },
  {
    position: 1,
    example: {
      messages: [{ role: "user" as const, content: "Classify: broken on arrival" }],
      metadata: { source: "reviews", variables: { language: "en" } },
    },
  },
  { position: 2, example: { messages: [{ role: "user" as const, content: "third" }] } },
];

const ok = (customId: string, content: string) =>
  JSON.stringify({
    id: `batch_req_${customId}`,
    custom_id: customId,
    response: {
      status_code: 200,
      request_id: "r",
      body: { choices: [{ index: 0, message: { role: "assistant", content } }] },
    },
    error: null,
  });

describe("prompt over dataset: rows to batch lines", () => {
  it("asks with the last user message as `input`, plus the row's named variables", () => {
    expect(rowVariables(rows[0].example)).toEqual({ input: "Classify: great product" });
    expect(rowVariables(rows[1].example)).toEqual({ input: "Classify: broken on arrival", language: "en" });
  });

  it("writes one chat-completions line per row running prompt:NAME@label, numbered by position", () => {
    const lines = batchInputLines(rows, { prompt: "classify", label: "production" }).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[1]).toEqual({
      custom_id: "row-1",
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: "prompt:classify@production",
        messages: [],
        variables: { input: "Classify: broken on arrival", language: "en" },
      },
    });
  });
});

describe("prompt over dataset: output lines to rows", () => {
  it("joins replies to rows in the rows' order, replacing a trailing answer and keeping metadata", () => {
    const lines = [
      ok("row-1", "negative"),
      JSON.stringify({ id: "x", custom_id: "row-2", response: null, error: { code: "server_error", message: "boom" } }),
      ok("row-0", "positive"),
      "",
    ];
    const out = outputRows(rows, lines);
    expect(out.examples).toEqual([
      {
        messages: [
          { role: "system", content: "Be brief" },
          { role: "user", content: "Classify: great product" },
          { role: "assistant", content: "positive" },
        ],
      },
      {
        metadata: { source: "reviews", variables: { language: "en" } },
        messages: [
          { role: "user", content: "Classify: broken on arrival" },
          { role: "assistant", content: "negative" },
        ],
      },
    ]);
    expect(out.failed).toEqual([{ customId: "row-2", message: "boom" }]);
  });

  it("counts a non-200 status and a missing line as failed", () => {
    const lines = [JSON.stringify({ custom_id: "row-0", response: { status_code: 429, body: {} }, error: null })];
    expect(outputRows(rows.slice(0, 2), lines).failed).toEqual([
      { customId: "row-0", message: "status 429" },
      { customId: "row-1", message: "no output line" },
    ]);
  });
});
