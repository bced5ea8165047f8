/** The key-limit settings an operator may change (documented in the README's configuration table). */

/** Output tokens reserved for a request that sets no `max_tokens` (nor does its model version, prompt or variant). */
export const DEFAULT_OUTPUT_TOKENS = envInt("SWITCHYARD_KEY_LIMIT_OUTPUT_TOKENS", 256, 1);
/**
 * Requests per limited key, per replica, per minute served while the counters cannot be read (0: none). Read when
 * a limiter is made, not at import: modules that import the gateway load long before a process sets its env.
 */
export const outageRequestsPerMinute = () => envInt("SWITCHYARD_KEY_LIMIT_OUTAGE_REQUESTS", 10, 0);

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min)
    throw new Error(`${name} must be an integer of at least ${min} (got '${raw}')`);
  return value;
}
