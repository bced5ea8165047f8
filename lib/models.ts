/** Registry vocabulary the console's forms and filters share with the server's schemas. */
export const PROVIDERS = ["onnx-local", "openai-compatible", "anthropic"] as const;
export const TASKS = ["chat", "completion", "embedding", "classification"] as const;
export type ProviderName = (typeof PROVIDERS)[number];
