/**
 * Key revocations and limit changes reach every gateway process at once: the
 * api-keys service runs `pg_notify(API_KEYS_CHANNEL, keyId)` in the writing
 * transaction and each process drops that key from its cache, so the cache's
 * TTL (15 s) only bounds what a process misses while it is not listening
 * (reconnects are tried every few seconds).
 */
import { type Following, NotifyListener } from "@/server/database/notify-listener";
import { API_KEYS_CHANNEL } from "@/server/modules/api-keys/events";
import type { ApiKeyCache } from "./key-cache";

/** Settles `ready` once the first LISTEN is up; `close()` stops listening. */
export function followKeyChanges(keys: ApiKeyCache, connectionString: string): Following {
  return new NotifyListener(connectionString, API_KEYS_CHANNEL, (keyId) => keys.forget(keyId)).follow();
}
