/** Prices as stored on the model: per 1M tokens for upstream models, per compute second for local ones. */
export interface Prices {
  priceInputPerMTok: number | null;
  priceOutputPerMTok: number | null;
  /** Input tokens read from / written to the provider's prompt cache; null or absent: the input price. */
  priceCachedInputPerMTok?: number | null;
  priceCacheWritePerMTok?: number | null;
  pricePerComputeSecond: number | null;
}

/** What a run used. `cachedTokens` and `cacheWriteTokens` are parts of `tokensIn`, not in addition to it. */
export interface RunUsage {
  tokensIn: number;
  tokensOut: number;
  durationMs: number;
  cachedTokens?: number;
  cacheWriteTokens?: number;
}

/**
 * USD for one run; a model without prices costs 0 (it is then shown as unpriced, not free). Cached input tokens
 * cost the cached price, cache writes the write price, the rest of the input the input price.
 */
export function runCost(prices: Prices, usage: RunUsage): number {
  if (prices.pricePerComputeSecond !== null) return (prices.pricePerComputeSecond * usage.durationMs) / 1000;
  const input = prices.priceInputPerMTok ?? 0;
  const cached = usage.cachedTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  // The common case (nothing cached) costs what it did before: two products.
  let inputCost = input * usage.tokensIn;
  if (cached > 0 || written > 0) {
    // An upstream reporting more cached tokens than prompt tokens must not make the rest negative.
    const plain = Math.max(0, usage.tokensIn - cached - written);
    inputCost =
      input * plain +
      (prices.priceCachedInputPerMTok ?? input) * cached +
      (prices.priceCacheWritePerMTok ?? input) * written;
  }
  return (inputCost + (prices.priceOutputPerMTok ?? 0) * usage.tokensOut) / 1_000_000;
}
