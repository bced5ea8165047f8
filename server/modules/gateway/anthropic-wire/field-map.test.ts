import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError } from "@/server/errors";
import { FieldMap } from "./field-map";
import { toChatBody } from "./request";

function mapOf(native: Record<string, unknown>) {
  const fields = new FieldMap();
  const body = toChatBody(Object.assign({ model: "m", max_tokens: 10 }, native), fields);
  return { fields, body };
}

describe("FieldMap", () => {
  const { fields, body } = mapOf({
    system: "Be brief.",
    messages: [
      { role: "user", content: "Weather?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "…" },
          { type: "tool_use", id: "t", name: "f", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "text", text: "here" },
          { type: "tool_result", tool_use_id: "t", content: "21" },
          { type: "image", source: { type: "url", url: "https://x/y.png" } },
        ],
      },
    ],
    stop_sequences: ["END"],
  });

  it("names each translated message's fields as the Anthropic request spells them", () => {
    // system, user, assistant, tool (from messages.2.content.1), user (the rest of messages.2)
    expect((body.messages as { role: string }[]).map((m) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "tool",
      "user",
    ]);
    expect(fields.anthropicPath("messages.0.content")).toBe("system");
    expect(fields.anthropicPath("messages.1.content")).toBe("messages.0.content");
    expect(fields.anthropicPath("messages.2.tool_calls")).toBe("messages.1.content.1");
    expect(fields.anthropicPath("messages.3.role")).toBe("messages.2.content.1");
    expect(fields.anthropicPath("messages.4.content.1.type")).toBe("messages.2.content.2.type");
    expect(fields.anthropicPath("messages.4.role")).toBe("messages.2.role");
    expect(fields.anthropicPath("stop.0")).toBe("stop_sequences.0");
    expect(fields.anthropicPath("response_format")).toBe("output_config.format");
    expect(fields.anthropicPath("tools")).toBe("tools");
    expect(fields.anthropicPath("messages.9.role")).toBe("messages.9.role");
  });

  it("renames the field in a refusal's message and issues", () => {
    const refusal = new DomainError(
      "VALIDATION",
      "messages.3.role: model 'demo@1' cannot honour 'messages.3.role' (text only)",
      [{ path: "messages.3.role", message: "Not supported by demo@1" }],
    );
    const renamed = fields.renamed(refusal) as DomainError;
    expect(renamed.message).toBe(
      "messages.2.content.1: model 'demo@1' cannot honour 'messages.2.content.1' (text only)",
    );
    expect(renamed.toOpenAI().error.param).toBe("messages.2.content.1");
    expect(renamed.httpStatus).toBe(400);

    const zod = z.object({ stop: z.array(z.string().max(1)) }).safeParse({ stop: ["long"] }).error;
    expect((fields.renamed(zod) as DomainError).issues[0].path).toBe("stop_sequences.0");

    const other = new Error("boom");
    expect(fields.renamed(other)).toBe(other);
    const unnamed = new DomainError("UPSTREAM", "upstream failed");
    expect(fields.renamed(unnamed)).toBe(unnamed);
  });
});
