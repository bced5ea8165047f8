/**
 * Key revocations and limit changes reach every gateway process at once: the
 * api-keys service runs `pg_notify(API_KEYS_CHANNEL, keyId)` in the writing
 * transaction and each process drops that key from its cache, so the cache's
 * TTL (15 s) only bounds what a process misses while it is not listening
 * (reconnects are tried every few seconds).
 */
import { NotifyListener } from "@/server/database/notify-listener";
import { API_KEYS_CHANNEL } from "@/server/modules/api-keys/events";
import type { ApiKeyCache } from "./key-cache";

const RECONNECT_MS = 5_000;

export function followKeyChanges(
  keys: ApiKeyCache,
  connectionString: string,
): { ready: Promise<void>; close(): Promise<void> } {
  const listener = new NotifyListener(connectionString, API_KEYS_CHANNEL, (keyId) => keys.forget(keyId));
  const ensure = () => {
    if (!listener.connected) listener.start().catch(() => {});
  };
  const ready = listener.start().catch(() => {});
  const timer = setInterval(ensure, RECONNECT_MS);
  timer.unref();
  return {
    /** Settles once the first LISTEN is up (or failed: then the TTL applies until a reconnect). */
    ready,
    close: async () => {
      clearInterval(timer);
      await listener.close();
    },
  };
}
