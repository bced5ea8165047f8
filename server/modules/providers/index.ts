import { AnthropicProvider } from "./anthropic";
import { OpenAICompatibleProvider } from "./openai-compatible";
import { type ProviderConfig, providerConfigSchema } from "./schemas";
import type { ChatProvider } from "./types";
import { validate } from "./validate";

export type { AnthropicConfig } from "./anthropic";
export {
  ANTHROPIC_VERSION,
  AnthropicProvider,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  mapAnthropicStopReason,
} from "./anthropic";
export { isProviderAbort, ProviderAbortError, ProviderError } from "./errors";
export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from "./http";
export type { OpenAICompatibleConfig } from "./openai-compatible";
export { mapOpenAIFinishReason, OpenAICompatibleProvider } from "./openai-compatible";
export * from "./schemas";
export type * from "./types";

/** Builds the client for a registered upstream; the config is validated (VALIDATION DomainError when bad). */
export function createProvider(config: ProviderConfig): ChatProvider {
  const valid = validate(providerConfigSchema, config);
  switch (valid.kind) {
    case "openai-compatible":
      return new OpenAICompatibleProvider(valid);
    case "anthropic":
      return new AnthropicProvider(valid);
  }
}
