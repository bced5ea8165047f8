/**
 * Multiple comparisons: with k treatments each tested against control at
 * level α, the chance of at least one false "winner" grows to about kα.
 * Holm's step-down procedure (S. Holm, "A simple sequentially rejective
 * multiple test procedure", Scand. J. Statist. 6, 1979) keeps that
 * family-wise error rate at α for any dependence between the tests and is
 * uniformly more powerful than Bonferroni. Adjusted p-values (Wright,
 * "Adjusted p-values for simultaneous inference", Biometrics 48, 1992):
 *
 *   sort p₍₁₎ ≤ … ≤ p₍ₘ₎;  p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1) p₍ⱼ₎)
 *
 * and a hypothesis is rejected when p̃ < α. It applies equally to the
 * always-valid sequential p-values, which are valid at any stopping time.
 */

/** Holm-adjusted p-values in the input order; nulls (tests without a p-value) are skipped and stay null. */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const present = pValues
    .map((p, index) => ({ p, index }))
    .filter((entry): entry is { p: number; index: number } => entry.p !== null)
    .sort((a, b) => a.p - b.p || a.index - b.index);
  const m = present.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  present.forEach(({ p, index }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}
