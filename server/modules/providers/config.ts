/**
 * The operator's settings for upstream calls, read from the environment once, when first needed (a read of
 * `process.env` costs about a microsecond, too much for every call; `reloadUpstreamSettings` reads again for
 * tests that change them). The allow list is read on each use, which is rare (a new connection, a
 * registration), so it may change while the process runs. Each is documented in this folder's README and the
 * root README's configuration table. A value that is not what the variable takes throws, naming the variable: a
 * typo must not silently become a default.
 */
import { type AllowList, parseAllowList } from "./address-policy";

export interface UpstreamSettings {
  /** Connections per upstream origin, per process (all projects together). */
  connections: number;
  /** Of those, what one project may hold at once; its further calls wait. */
  projectConnections: number;
  /** Of those, what one API key (or playground user) may hold at once. */
  keyConnections: number;
  /** Calls of one project that may wait for a connection to one origin; more are refused (429). */
  queuePerProject: number;
  /** A non-streamed upstream call gets this long for its whole answer. */
  wholeAnswerTimeoutMs: number;
  /** Gateways a request may pass through (one calling another, or itself) before the next refuses it (508). */
  maxHops: number;
}

const DEFAULTS = {
  SWITCHYARD_UPSTREAM_CONNECTIONS: 256,
  SWITCHYARD_UPSTREAM_PROJECT_CONNECTIONS: 128,
  SWITCHYARD_UPSTREAM_KEY_CONNECTIONS: 64,
  SWITCHYARD_UPSTREAM_QUEUE: 128,
  SWITCHYARD_UPSTREAM_TIMEOUT_S: 300,
  SWITCHYARD_MAX_HOPS: 3,
} as const;

type NumberVariable = keyof typeof DEFAULTS;

function whole(name: NumberVariable, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return DEFAULTS[name];
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  return value;
}

let cached: UpstreamSettings | null = null;

export function upstreamSettings(): UpstreamSettings {
  cached ??= readSettings();
  return cached;
}

/** Reads the variables again: for tests and scripts that set them after the first call. */
export function reloadUpstreamSettings(): UpstreamSettings {
  cached = null;
  return upstreamSettings();
}

function readSettings(): UpstreamSettings {
  const connections = whole("SWITCHYARD_UPSTREAM_CONNECTIONS", 1, 65_536);
  return {
    connections,
    // A share larger than the pool would be the pool.
    projectConnections: Math.min(connections, whole("SWITCHYARD_UPSTREAM_PROJECT_CONNECTIONS", 1, 65_536)),
    keyConnections: Math.min(connections, whole("SWITCHYARD_UPSTREAM_KEY_CONNECTIONS", 1, 65_536)),
    queuePerProject: whole("SWITCHYARD_UPSTREAM_QUEUE", 0, 1_000_000),
    wholeAnswerTimeoutMs: whole("SWITCHYARD_UPSTREAM_TIMEOUT_S", 1, 86_400) * 1000,
    maxHops: whole("SWITCHYARD_MAX_HOPS", 1, 100),
  };
}

let allowCache: { raw: string; allow: AllowList } | null = null;

/** `SWITCHYARD_UPSTREAM_ALLOW`: hosts and ranges upstream calls may reach although loopback, private, link-local… */
export function upstreamAllowList(): AllowList {
  const raw = process.env.SWITCHYARD_UPSTREAM_ALLOW ?? "";
  if (allowCache?.raw !== raw) allowCache = { raw, allow: parseAllowList(raw, "SWITCHYARD_UPSTREAM_ALLOW") };
  return allowCache.allow;
}
