/**
 * Client for a `/rerank` endpoint in the Cohere/Jina shape that OpenAI-compatible servers expose (vLLM, TEI via
 * LiteLLM, Jina, Cohere-compatible gateways). A pass-through like `openai-embeddings.ts`: the body goes out as
 * given, the answer comes back untouched, checked only where the gateway relies on it (a `results` list; the
 * token count for the log, from `usage.total_tokens` or `meta.billed_units.total_tokens` when present).
 */
import { malformed } from "./errors";
import { UpstreamHttp } from "./http";
import type { CallOptions } from "./types";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const tokenCount = (value: unknown) =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : null;

export class OpenAIRerankClient {
  private readonly http: UpstreamHttp;

  constructor(config: { baseUrl: string; apiKey?: string }) {
    const headers: Record<string, string> = {};
    if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
    this.http = new UpstreamHttp({ baseUrl: config.baseUrl, apiKey: config.apiKey, headers });
  }

  get host() {
    return this.http.host;
  }

  /** POSTs `body` to `/rerank`; failures are ProviderErrors mapped like chat completions' (`errors.ts`). */
  async rerank(
    body: Record<string, unknown>,
    opts?: CallOptions,
  ): Promise<{ body: Record<string, unknown>; tokens: number }> {
    const json = await this.http.postJson("/rerank", body, opts);
    if (!isObject(json) || !Array.isArray(json.results))
      throw malformed(`unexpected shape from ${this.http.host}: expected an object with a 'results' list`);
    const usage = isObject(json.usage) ? json.usage : {};
    const billed = isObject(json.meta) && isObject(json.meta.billed_units) ? json.meta.billed_units : {};
    return { body: json, tokens: tokenCount(usage.total_tokens) ?? tokenCount(billed.total_tokens) ?? 0 };
  }
}
