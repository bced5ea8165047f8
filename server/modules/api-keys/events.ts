import type { DbTx } from "@/server/db";

/** Postgres channel on which key revocations and limit changes are announced (payload: the key's id). */
export const API_KEYS_CHANNEL = "switchyard_api_keys";

/** Call inside the transaction that changes a key: gateway processes drop it from their caches when it commits. */
export async function announceKeyChange(tx: DbTx, keyId: string) {
  await tx.$executeRaw`SELECT pg_notify(${API_KEYS_CHANNEL}, ${keyId})`;
}
