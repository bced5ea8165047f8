/** Which gateway request/response bodies the request log keeps (a project setting). */
export const BODY_LOGGING = ["none", "masked", "full"] as const;
export type BodyLogging = (typeof BODY_LOGGING)[number];
export const BODY_LOGGING_LABELS: Record<BodyLogging, string> = {
  none: "None — no bodies are stored",
  masked: "Masked — bodies with personal data replaced by placeholders like <EMAIL_1>",
  full: "Full — bodies exactly as sent and answered",
};
