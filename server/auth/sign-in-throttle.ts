import ipaddr from "ipaddr.js";
import type { Db } from "@/server/db";

/**
 * Sign-in throttling, so guessing is slow without letting an attacker lock
 * the owner out. Two leaky buckets, in PostgreSQL so every replica agrees:
 * - per (e-mail, source address): `accountBurst` attempts, then growing delays
 *   (1 s, 2 s, 4 s, ... up to 15 minutes); one attempt leaks out every 10
 *   minutes, and a successful sign-in empties it. Wrong passwords from one
 *   address never delay the same account signing in from another address.
 * - per source address, across e-mails: `addressBurst` failed attempts, then
 *   growing delays; one leaks out every minute. This is what stops password
 *   spraying (many e-mails, one address). A success takes back its own count,
 *   so only failures accumulate. IPv6 addresses count per /64.
 * An attempt made while a bucket is blocked is refused before any password is
 * checked and is not counted. Attempts are counted before the password is
 * checked, so a burst sent in parallel is throttled like one sent in sequence.
 */
export interface SignInThrottleSettings {
  accountBurst: number;
  addressBurst: number;
  /** The first delay past a burst, doubling from there. Default 1 s. */
  firstDelaySeconds?: number;
}

const ACCOUNT_LEAK_SECONDS = 600;
const ADDRESS_LEAK_SECONDS = 60;
const MAX_DELAY_SECONDS = 900;

/** The address bucket: the address itself, or its /64 for IPv6 (one subscriber usually holds a whole /64). */
export function addressBucket(address: string): string {
  if (!ipaddr.isValid(address)) return "unknown";
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}

const accountKey = (email: string, address: string) => `account:${email}|${addressBucket(address)}`;
const addressKey = (address: string) => `address:${addressBucket(address)}`;

/**
 * Counts one attempt in a bucket in one statement (concurrent attempts on any
 * replica all count), unless the bucket is blocked: then nothing is counted
 * and the answer is the seconds left to wait. Null: go ahead.
 */
async function take(
  db: Db,
  key: string,
  { burst, leakSeconds, firstDelay }: { burst: number; leakSeconds: number; firstDelay: number },
): Promise<number | null> {
  const rows = await db.$queryRaw<{ counted: boolean; wait_s: number | null }[]>`
    INSERT INTO sign_in_throttle AS t (key, level, updated_at, blocked_until) VALUES (${key}, 1, now(), NULL)
    ON CONFLICT (key) DO UPDATE SET
      level = CASE WHEN t.blocked_until > now() THEN t.level
                   ELSE greatest(0, t.level - extract(epoch FROM now() - t.updated_at) / ${leakSeconds}) + 1 END,
      updated_at = CASE WHEN t.blocked_until > now() THEN t.updated_at ELSE now() END,
      blocked_until = CASE
        WHEN t.blocked_until > now() THEN t.blocked_until
        WHEN greatest(0, t.level - extract(epoch FROM now() - t.updated_at) / ${leakSeconds}) + 1 > ${burst}
          THEN now() + make_interval(secs => least(${firstDelay} *
            power(2, ceil(greatest(0, t.level - extract(epoch FROM now() - t.updated_at) / ${leakSeconds}) + 1 - ${burst}) - 1),
            ${MAX_DELAY_SECONDS}))
        ELSE NULL END
    RETURNING t.updated_at = now() AS counted,
              extract(epoch FROM t.blocked_until - now())::float8 AS wait_s`;
  const row = rows[0];
  return row.counted ? null : Math.max(1, Math.ceil(row.wait_s ?? 1));
}

/** Counts a sign-in attempt; the seconds to wait when it must not go ahead, else null. */
export async function takeSignInAttempt(
  db: Db,
  settings: SignInThrottleSettings,
  email: string,
  address: string,
): Promise<number | null> {
  const firstDelay = settings.firstDelaySeconds ?? 1;
  const perAddress = { burst: settings.addressBurst, leakSeconds: ADDRESS_LEAK_SECONDS, firstDelay };
  const addressWait = await take(db, addressKey(address), perAddress);
  if (addressWait !== null) return addressWait;
  const perAccount = { burst: settings.accountBurst, leakSeconds: ACCOUNT_LEAK_SECONDS, firstDelay };
  return take(db, accountKey(email, address), perAccount);
}

/**
 * After a successful sign-in: that account's bucket for that address empties,
 * and the address's bucket takes back this attempt's count (only failures
 * accumulate there, so a busy office behind one address is not slowed, and an
 * attacker's own sign-ins cannot make room for more guesses). Buckets idle
 * for a day go.
 */
export async function signInSucceeded(
  db: Db,
  settings: SignInThrottleSettings,
  email: string,
  address: string,
): Promise<void> {
  await db.signInThrottle.deleteMany({ where: { key: accountKey(email, address) } });
  await db.$executeRaw`UPDATE sign_in_throttle
    SET level = greatest(0, level - 1),
        blocked_until = CASE WHEN level - 1 <= ${settings.addressBurst} THEN NULL ELSE blocked_until END
    WHERE key = ${addressKey(address)}`;
  await db.$executeRaw`DELETE FROM sign_in_throttle
    WHERE updated_at < now() - interval '1 day' AND (blocked_until IS NULL OR blocked_until < now())`;
}
