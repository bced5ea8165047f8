import { SESSIONS_MAX_DAYS } from "@/lib/sessions";

/** Ranges the sessions pages offer (at most SESSIONS_MAX_DAYS, the server's bound). */
export const SESSION_RANGES = {
  "1h": { label: "Last hour", seconds: 3600 },
  "24h": { label: "Last 24 hours", seconds: 86_400 },
  "7d": { label: "Last 7 days", seconds: 604_800 },
  "30d": { label: "Last 30 days", seconds: Math.min(30, SESSIONS_MAX_DAYS) * 86_400 },
} as const;
export type SessionRange = keyof typeof SESSION_RANGES;

/** [now - range, now + 1 min): a request logged while the page loads still counts. */
export function sessionWindow(range: string) {
  const seconds = SESSION_RANGES[range as SessionRange]?.seconds ?? SESSION_RANGES["24h"].seconds;
  const to = new Date(Date.now() + 60_000);
  return { from: new Date(to.getTime() - 60_000 - seconds * 1000), to };
}
