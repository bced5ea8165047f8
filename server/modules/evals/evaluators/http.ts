// The custom HTTP evaluator: POST {input, output, expected, metadata} as JSON to the evaluator's URL, signed with
// its secret, through the upstream client (address policy, hop headers, fair shares, timeouts) — an evaluator's
// URL is caller input exactly like a model's endpoint. The answer {score, passed?, reason?} is checked.
import { createHmac } from "node:crypto";
import { z } from "zod";
import type { EvaluatorConfig } from "@/lib/evals/evaluators";
import { decryptSecret } from "@/server/crypto/secrets";
import { UpstreamHttp } from "@/server/modules/providers/http";
import type { EvalSample } from "../types";
import type { EvaluatorContext, RawScore } from "./common";

const SIGNATURE_HEADER = "x-switchyard-signature";

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (Stripe's scheme: the timestamp is signed too). */
export function signBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

const answerSchema = z.object({
  score: z.number().min(0).max(1),
  passed: z.boolean().optional(),
  reason: z.string().optional(),
});

async function secretOf(ctx: EvaluatorContext): Promise<string> {
  const spec = ctx.spec as typeof ctx.spec & { secretCiphertext?: string | null };
  let ciphertext = spec.secretCiphertext;
  if (ciphertext === undefined) {
    const row = await ctx.deps.db.evaluatorVersion.findUnique({
      where: { id: spec.evaluatorVersionId },
      select: { evaluator: { select: { secretCiphertext: true } } },
    });
    ciphertext = row?.evaluator.secretCiphertext ?? null;
  }
  if (!ciphertext) throw new Error("the evaluator has no signing secret");
  return decryptSecret(ciphertext);
}

export async function httpEvaluator(
  ctx: EvaluatorContext,
  config: EvaluatorConfig<"http">,
  sample: EvalSample,
): Promise<RawScore> {
  const secret = await secretOf(ctx);
  const payload = {
    input: sample.input,
    output: sample.output,
    expected: sample.expected ?? null,
    metadata: sample.metadata ?? {},
  };
  const body = JSON.stringify(payload);
  const url = new URL(config.url);
  const signature = signBody(secret, body, Math.floor(Date.now() / 1000));
  const http = new UpstreamHttp({ baseUrl: url.origin, headers: { [SIGNATURE_HEADER]: signature } });
  let answer: unknown;
  try {
    // UpstreamHttp sends JSON.stringify(payload): the very bytes signed above.
    answer = await http.postJson(`${url.pathname}${url.search}`, payload, {
      timeoutMs: config.timeoutMs,
      signal: ctx.deps.signal,
      requester: { projectId: ctx.deps.projectId, keyId: null, hops: 0, via: [] },
    });
  } catch (error) {
    return { score: 0, failed: true, reason: `the evaluator at ${url.host} failed: ${(error as Error).message}` };
  }
  const parsed = answerSchema.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      score: 0,
      failed: true,
      reason: `the evaluator at ${url.host} answered without a valid {score, passed?, reason?}: ${issue.path.join(".") || "(root)"} ${issue.message}`,
    };
  }
  return {
    score: parsed.data.score,
    passed: parsed.data.passed,
    reason: (parsed.data.reason ?? `scored ${parsed.data.score}`).slice(0, 2000),
  };
}
