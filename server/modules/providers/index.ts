import { AnthropicProvider } from "./anthropic";
import { OpenAICompatibleProvider } from "./openai-compatible";
import { type ProviderConfig, providerConfigSchema } from "./schemas";
import type { ChatProvider } from "./types";
import { validate } from "./validate";

export { AnthropicProvider } from "./anthropic";

export { OpenAICompatibleProvider } from "./openai-compatible";
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
