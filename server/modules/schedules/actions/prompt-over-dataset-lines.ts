// The prompt-over-dataset action's own logic, without I/O: a dataset version's rows become Batch API input
// lines that run `prompt:NAME@label`, and the batch's output lines become the rows of a new version.
import type { DatasetExample } from "@/server/modules/datasets/core";

export interface PromptTarget {
  prompt: string;
  label: string;
}

export interface PositionedExample {
  position: number;
  example: DatasetExample;
}

/** The custom_id of a row: its position, so output lines (in any order) find their row again. */
const customIdOf = (position: number) => `row-${position}`;

/** The messages a row asks with: the conversation without a trailing assistant reply (the one to regenerate). */
function askedMessages(example: DatasetExample) {
  const messages = example.messages;
  return messages.length > 0 && messages[messages.length - 1].role === "assistant" ? messages.slice(0, -1) : messages;
}

/**
 * The prompt's variables for one row: `input` is the last user message; `metadata.variables` (an object) adds
 * or overrides named ones, for prompts with several slots.
 */
export function rowVariables(example: DatasetExample): Record<string, unknown> {
  const asked = askedMessages(example);
  const lastUser = [...asked].reverse().find((m) => m.role === "user");
  const extra = example.metadata?.variables;
  return {
    input: lastUser?.content ?? "",
    ...(extra && typeof extra === "object" && !Array.isArray(extra) ? (extra as Record<string, unknown>) : {}),
  };
}

/** One Batch API input line (`/v1/chat/completions`) per row, in row order. */
export function batchInputLines(rows: Iterable<PositionedExample>, target: PromptTarget): string[] {
  const lines: string[] = [];
  for (const row of rows)
    lines.push(
      JSON.stringify({
        custom_id: customIdOf(row.position),
        method: "POST",
        url: "/v1/chat/completions",
        body: { model: `prompt:${target.prompt}@${target.label}`, messages: [], variables: rowVariables(row.example) },
      }),
    );
  return lines;
}

export interface OutputRows {
  /** The new version's rows, in the input's order: the asked messages plus the model's reply. */
  examples: DatasetExample[];
  /** Rows with no usable reply (an error line, a non-200 status, no message), by custom_id. */
  failed: { customId: string; message: string }[];
}

type OutputLine = {
  custom_id?: unknown;
  response?: { status_code?: unknown; body?: { choices?: { message?: { content?: unknown } }[] } } | null;
  error?: { message?: unknown } | null;
};

function replyOf(line: OutputLine): { content: string } | { error: string } {
  if (line.error) return { error: String(line.error.message ?? "error") };
  const status = line.response?.status_code;
  if (status !== 200) return { error: `status ${String(status)}` };
  const content = line.response?.body?.choices?.[0]?.message?.content;
  return typeof content === "string" ? { content } : { error: "the response has no message" };
}

/** Joins the batch's output and error lines back to the rows; a line naming no known row is ignored. */
export function outputRows(rows: readonly PositionedExample[], lines: Iterable<string>): OutputRows {
  const replies = new Map<string, { content: string } | { error: string }>();
  for (const text of lines) {
    if (!text.trim()) continue;
    const line = JSON.parse(text) as OutputLine;
    if (typeof line.custom_id === "string") replies.set(line.custom_id, replyOf(line));
  }
  const examples: DatasetExample[] = [];
  const failed: OutputRows["failed"] = [];
  for (const row of rows) {
    const customId = customIdOf(row.position);
    const reply = replies.get(customId) ?? { error: "no output line" };
    if ("error" in reply) {
      failed.push({ customId, message: reply.error });
      continue;
    }
    examples.push({
      ...(row.example.metadata ? { metadata: row.example.metadata } : {}),
      messages: [...askedMessages(row.example), { role: "assistant", content: reply.content }],
    });
  }
  return { examples, failed };
}
