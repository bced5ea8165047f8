/** Prices as stored on the model: per 1M tokens for upstream models, per compute second for local ones. */
export interface Prices {
  priceInputPerMTok: number | null;
  priceOutputPerMTok: number | null;
  pricePerComputeSecond: number | null;
}

/** USD for one run; a model without prices costs 0 (it is then shown as unpriced, not free). */
export function runCost(prices: Prices, usage: { tokensIn: number; tokensOut: number; durationMs: number }): number {
  if (prices.pricePerComputeSecond !== null) return (prices.pricePerComputeSecond * usage.durationMs) / 1000;
  return (
    ((prices.priceInputPerMTok ?? 0) * usage.tokensIn + (prices.priceOutputPerMTok ?? 0) * usage.tokensOut) / 1_000_000
  );
}
