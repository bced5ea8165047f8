/** Inputs and outputs of the routes service, shared with the console (no server-only imports). */
import { z } from "zod";
import { queryBoolean, queryInt } from "@/lib/query-params";
import { routeConfig } from "@/lib/routes/config";
import { versionNumber } from "@/lib/version-number";

const ROUTE_FORMATS = ["yaml", "json"] as const;

/** The `model` clients send to use the route, or `*` (the project's default route). */
const routeName = z
  .string()
  .trim()
  .min(1, "Name is required")
  .max(200, "Name must be at most 200 characters")
  .regex(/^(\*|[A-Za-z0-9][^\s*]*)$/, "Use the model name clients send (no spaces), or * for the default route")
  .refine(
    (n) => !n.startsWith("prompt:") && !n.startsWith("experiment:"),
    "prompt: and experiment: are reserved prefixes",
  );

/** The config text as written; 256 KiB is far more than any route needs. */
const routeSource = z.string().max(256 * 1024, "A route config is at most 256 KiB");

export const createRouteInput = z.object({
  name: routeName,
  description: z.string().max(1000).default(""),
  source: routeSource,
  format: z.enum(ROUTE_FORMATS).optional(),
  commitMessage: z.string().max(500).default(""),
});

export const saveRouteVersionInput = z.object({
  routeId: z.string().uuid(),
  source: routeSource,
  format: z.enum(ROUTE_FORMATS).optional(),
  commitMessage: z.string().max(500).default(""),
});

export const activateRouteInput = z.object({
  routeId: z.string().uuid(),
  version: versionNumber,
  reason: z.string().max(500).default(""),
});

export const updateRouteInput = z.object({
  routeId: z.string().uuid(),
  enabled: z.boolean().optional(),
  description: z.string().max(1000).optional(),
});

export const listRoutesInput = z.object({
  page: queryInt(1, 100_000).default(1),
  pageSize: queryInt(1, 100).default(20),
  search: z.string().max(100).optional(),
  enabled: queryBoolean.optional(),
});

export const validateRouteInput = z.object({ source: routeSource, format: z.enum(ROUTE_FORMATS).optional() });

export const sourceIssue = z.object({ line: z.number(), column: z.number(), path: z.string(), message: z.string() });

export const routeSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  activeVersion: z.number().nullable(),
  latestVersion: z.number(),
  strategy: z.string().nullable(),
  deployments: z.array(z.object({ model: z.string(), weight: z.number() })),
  fallbacks: z.array(z.string()),
  updatedAt: z.date(),
});

const routeVersionOut = z.object({
  id: z.string(),
  version: z.number(),
  format: z.enum(ROUTE_FORMATS),
  source: z.string(),
  /** The source parsed, defaults filled in: what the gateway runs. */
  config: routeConfig,
  commitMessage: z.string(),
  authorLabel: z.string(),
  createdAt: z.date(),
  active: z.boolean(),
});

const routeActivationOut = z.object({
  fromVersion: z.number().nullable(),
  toVersion: z.number(),
  reason: z.string(),
  actorLabel: z.string(),
  createdAt: z.date(),
});

export const routeDetail = routeSummary.extend({
  versions: z.array(routeVersionOut),
  activations: z.array(routeActivationOut),
});

export const deploymentHealthOut = z.object({
  model: z.string(),
  /** standby: weight 0 under `weighted` (tried only after the others). */
  role: z.enum(["deployment", "standby", "fallback", "requested"]),
  outstanding: z.number(),
  ewmaTtftMs: z.number().nullable(),
  samples: z.number(),
  consecutiveFailures: z.number(),
  totalFailures: z.number(),
  totalSuccesses: z.number(),
  coolingDown: z.boolean(),
  cooldownUntil: z.date().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.date().nullable(),
});
