/**
 * Client for an OpenAI-compatible `/embeddings` endpoint (OpenAI, vLLM, TEI, Ollama, LiteLLM...). A pass-through:
 * the request body goes out as given, the answer comes back as the upstream sent it, checked only where a caller
 * relies on it (a `data` list; `usage.prompt_tokens` when present, for tokens and cost).
 */
import { malformed } from "./errors";
import { UpstreamHttp } from "./http";
import type { CallOptions } from "./types";

export interface EmbeddingsConfig {
  /** Up to and including the version segment, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; omit for servers without auth. */
  apiKey?: string;
}

export interface EmbeddingsResult {
  /** The upstream's answer, untouched. */
  body: Record<string, unknown>;
  /** `usage.prompt_tokens`, 0 when the upstream reported none. */
  promptTokens: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export class OpenAIEmbeddingsClient {
  private readonly http: UpstreamHttp;

  constructor(config: EmbeddingsConfig) {
    const headers: Record<string, string> = {};
    if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
    this.http = new UpstreamHttp({ baseUrl: config.baseUrl, apiKey: config.apiKey, headers });
  }

  get host() {
    return this.http.host;
  }

  /** POSTs `body` to `/embeddings`; failures are ProviderErrors mapped like chat completions' (`errors.ts`). */
  async embed(body: Record<string, unknown>, opts?: CallOptions): Promise<EmbeddingsResult> {
    const json = await this.http.postJson("/embeddings", body, opts);
    if (!isObject(json) || !Array.isArray(json.data))
      throw malformed(`unexpected shape from ${this.http.host}: expected an object with a 'data' list`);
    const usage = json.usage;
    let promptTokens = 0;
    if (isObject(usage) && usage.prompt_tokens !== undefined && usage.prompt_tokens !== null) {
      if (!Number.isSafeInteger(usage.prompt_tokens) || (usage.prompt_tokens as number) < 0)
        throw malformed(`unexpected shape from ${this.http.host}: usage.prompt_tokens is not a token count`);
      promptTokens = usage.prompt_tokens as number;
    }
    return { body: json, promptTokens };
  }
}
