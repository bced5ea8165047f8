// Evaluators that call registered models through the gateway (deps.callModel): embedding_similarity and
// llm_judge. Their calls are priced and logged like live traffic; what they cost is the score's costUsd. A call
// that fails is a reason (score 0), never an exception out of the case.
import type { EvaluatorConfig } from "@/lib/evals/evaluators";
import { runRenderTask } from "@/server/modules/prompts/rendering/pool";
import type { TaskValue } from "@/server/modules/prompts/rendering/task";
import { answerText, type ModelReply } from "../model-call";
import type { EvalSample } from "../types";
import { clamp01, type EvaluatorContext, expectedText, inputText, type RawScore } from "./common";

const MAX_EMBED_CHARS = 100_000;

function callFailure(reply: ModelReply | null, what: string): string | null {
  if (!reply) return `the ${what} call was stopped`;
  if (reply.ok) return null;
  const detail = reply.error?.message ?? `HTTP ${reply.statusCode ?? "?"}`;
  return `the ${what} call failed: ${detail.slice(0, 300)}`;
}

export function cosine(a: number[], b: number[]): number {
  if (a.length !== b.length || a.length === 0) throw new Error("the two embeddings differ in length");
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

function embeddingAt(body: unknown, index: number): number[] | null {
  const data = (body as { data?: { index?: number; embedding?: unknown }[] } | null)?.data;
  if (!Array.isArray(data)) return null;
  const item = data.find((d) => d?.index === index) ?? data[index];
  const vector = item?.embedding;
  return Array.isArray(vector) && vector.every((x) => typeof x === "number") ? (vector as number[]) : null;
}

export async function embeddingSimilarity(
  ctx: EvaluatorContext,
  config: EvaluatorConfig<"embedding_similarity">,
  sample: EvalSample,
): Promise<RawScore> {
  const target = config.useExpected ? expectedText(sample) : (config.value ?? "");
  const input = [sample.output.slice(0, MAX_EMBED_CHARS), target.slice(0, MAX_EMBED_CHARS)];
  const reply = await ctx.deps.callModel("/v1/embeddings", { model: config.model, input }, ctx.deps.signal);
  const costUsd = reply?.costUsd ?? 0;
  const failed = callFailure(reply, "embedding");
  if (failed) return { score: 0, reason: failed, costUsd, failed: true };
  const a = embeddingAt(reply?.body, 0);
  const b = embeddingAt(reply?.body, 1);
  if (!a || !b)
    return { score: 0, reason: "the embedding model answered without two embeddings", costUsd, failed: true };
  const similarity = cosine(a, b);
  // Cosine is -1..1; opposite meanings score 0, not a negative number.
  return { score: clamp01(similarity), reason: `cosine similarity ${similarity.toFixed(3)}`, costUsd };
}

function defaultInstructions(choices: string[]) {
  return (
    "You are a strict evaluator. Read the task and grade the answer as asked. " +
    `Finish with one last line of the form "Answer: <choice>", where <choice> is exactly one of: ${choices.join(", ")}.`
  );
}

/**
 * The choice a judge's reply names, or null. In order: the whole reply is a choice; the last `Answer:` /
 * `Choice:` / `Verdict:` / `Grade:` line; the choices named as whole words in the last non-empty line; in the
 * whole reply. A reply naming several different choices where it is read is ambiguous: null.
 */
export function parseChoice(reply: string, choices: string[]): string | null {
  const byLower = new Map(choices.map((c) => [c.toLowerCase(), c]));
  const strip = (s: string) =>
    s
      .trim()
      .replace(/^[\s"'`*([{<]+|[\s"'`*.)\]}>!:]+$/g, "")
      .toLowerCase();
  const whole = byLower.get(strip(reply));
  if (whole) return whole;
  const labelled = [
    ...reply.matchAll(/(?:answer|choice|verdict|grade|rating)\s*(?:is)?\s*[:=-]?\s*\**\s*["'(`[]?([A-Za-z0-9_-]+)/gi),
  ];
  for (let i = labelled.length - 1; i >= 0; i--) {
    const hit = byLower.get(labelled[i][1].toLowerCase());
    if (hit) return hit;
  }
  const named = (text: string) => {
    const found = new Set<string>();
    for (const token of text.match(/[A-Za-z0-9_-]+/g) ?? []) {
      const hit = byLower.get(token.toLowerCase());
      // A one-letter choice ("A") counts only in its own case: the article "a" is not choice A.
      if (hit && (hit.length > 1 || token === hit)) found.add(hit);
    }
    return found;
  };
  const lines = reply.split("\n").filter((l) => l.trim());
  const last = named(lines.at(-1) ?? "");
  if (last.size === 1) return [...last][0];
  const all = named(reply);
  return all.size === 1 ? [...all][0] : null;
}

async function renderRubric(ctx: EvaluatorContext, rubric: string, sample: EvalSample): Promise<string> {
  const expected = sample.expected === undefined || sample.expected === null ? "" : expectedText(sample);
  const variables = {
    input: inputText(sample),
    output: sample.output,
    expected,
    messages: sample.input.messages ?? [],
    variables: sample.input.variables ?? {},
    metadata: sample.metadata ?? {},
  };
  const value = (await runRenderTask(ctx.deps.projectId, {
    kind: "render",
    template: rubric,
    includes: {},
    variables,
  })) as TaskValue & { kind: "render" };
  return value.rendered.type === "text" ? value.rendered.text : "";
}

export async function llmJudge(
  ctx: EvaluatorContext,
  config: EvaluatorConfig<"llm_judge">,
  sample: EvalSample,
): Promise<RawScore> {
  const choices = Object.keys(config.choices);
  const prompt = await renderRubric(ctx, config.rubric, sample);
  const body = {
    model: config.model,
    messages: [
      { role: "system", content: config.system ?? defaultInstructions(choices) },
      { role: "user", content: prompt },
    ],
    temperature: 0,
    max_tokens: config.maxTokens,
  };
  const replies = await Promise.all(
    Array.from({ length: config.samples }, () => ctx.deps.callModel("/v1/chat/completions", body, ctx.deps.signal)),
  );
  const costUsd = replies.reduce((sum, r) => sum + (r?.costUsd ?? 0), 0);
  const votes = new Map<string, number>();
  const problems: string[] = [];
  for (const reply of replies) {
    const failed = callFailure(reply, "judge");
    if (failed) {
      problems.push(failed);
      continue;
    }
    const text = answerText(reply?.body);
    const choice = parseChoice(text, choices);
    if (choice) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    else problems.push(`the judge's answer names no single choice (${JSON.stringify(text.slice(0, 120))})`);
  }
  if (votes.size === 0) return { score: 0, reason: problems[0] ?? "the judge gave no answer", costUsd, failed: true };
  // Majority; a tie goes to the lower score (a judge that cannot make up its mind does not pass the case).
  const [winner, count] = [...votes].sort((a, b) => b[1] - a[1] || config.choices[a[0]] - config.choices[b[0]])[0];
  const score = config.choices[winner];
  const tally =
    config.samples > 1
      ? ` (${count} of ${config.samples} calls${problems.length ? `; ${problems.length} failed or unclear` : ""})`
      : "";
  return { score, reason: `judge chose ${winner}${tally}`, costUsd };
}
