import type { ProviderName } from "@/lib/models";

export const PROVIDER_LABELS: Record<ProviderName, string> = {
  "onnx-local": "Local ONNX",
  "openai-compatible": "OpenAI-compatible",
  anthropic: "Anthropic",
};

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 4 });

export function formatPrice(value: number | null): string {
  return value === null ? "—" : usd.format(value);
}
