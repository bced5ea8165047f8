/** The version a small transform made inside the request (one over the inline limit answers with its job). */
export function inlineVersion<T extends { job: unknown }>(answer: T): Extract<T, { job: null }> {
  if (answer.job !== null)
    throw new Error(`expected the transform to run inline, got job ${JSON.stringify(answer.job)}`);
  return answer as Extract<T, { job: null }>;
}
