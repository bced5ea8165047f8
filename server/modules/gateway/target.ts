/**
 * What serves a request, from the `model` the caller sent:
 *   name | name@alias | name@latest | name@3 | name:3
 *                                                 a registry model version (a bare name: its production alias when it
 *                                                 has one, else the newest version; models/service.ts resolveModelRef)
 *   prompt:NAME | prompt:NAME@label | @3 | :3     a managed prompt (production by default) and its config.model
 *   experiment:NAME                               the caller's sticky variant (unit = OpenAI's `user`)
 * A live rollout on the prompt's label or the model's alias (server/modules/rollouts) sends its candidate share
 * of units to the candidate version, sticky per unit: `user`, else the session header, else the request.
 */

import { takesCandidate } from "@/lib/rollouts/arm";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { assignUnits } from "@/server/modules/experiments/exposures";
import { assignInput } from "@/server/modules/experiments/schemas";
import { normalizeModelRef } from "@/server/modules/models/refs";
import { type GenerationParams, generationParams } from "@/server/modules/models/schemas";
import { resolveModelRef, versionOfRef } from "@/server/modules/models/service";
import type { PromptCache } from "@/server/modules/prompts/cache";
import { type CompiledPrompt, fetchPrompt } from "@/server/modules/prompts/fetch";
import { renderStoredPrompt } from "@/server/modules/prompts/templating";
import type { LiveRollouts } from "@/server/modules/rollouts/live";
import { claimRefresh, refreshAtFor, sharedLoad } from "@/server/refresh-ahead";

export type ServedVersion = Prisma.ModelVersionGetPayload<{ include: { artifact: true; model: true } }>;

interface RenderedPrompt {
  id: string;
  name: string;
  version: number;
  type: "text" | "chat";
  text: string | null;
  messages: { role: "system" | "user" | "assistant"; content: string }[] | null;
  /** The version's Chat Completions fields (`tools`, `tool_choice`, `response_format`): a request's own win. */
  fields: Record<string, unknown>;
}

/** The prompt config's fields that go into a chat request's body as they are. */
const PROMPT_REQUEST_FIELDS = ["tools", "tool_choice", "response_format"] as const;

export interface ServeTarget {
  version: ServedVersion;
  /** The alias the model reference went through (`production` for a bare name that has it, `latest`…); null when pinned. */
  modelAlias: string | null;
  prompt: RenderedPrompt | null;
  experiment: { id: string; name: string } | null;
  /** The variant the caller was exposed to (an exposure row exists); null outside the experiment. */
  variant: { id: string; key: string } | null;
  /** The version's defaults overlaid by the prompt's config params: the caller's params override these. */
  baseParams: GenerationParams;
  /** An experiment variant's params: they override the caller's, or the experiment would not test them. */
  forcedParams: GenerationParams;
}

export interface ResolveDeps {
  db: Db;
  promptCache?: PromptCache<CompiledPrompt>;
  /** Live canary rollouts on labels and aliases; absent: none apply. */
  rollouts?: LiveRollouts;
}

export interface ResolveRequest {
  projectId: string;
  requestId: string;
  model: string;
  variables: Record<string, unknown>;
  /** OpenAI's `user`: the experiment's unit. */
  user: string | null;
  /** The session header: a rollout's unit when there is no `user`. */
  session?: string | null;
}

const PROMPT_PREFIX = "prompt:";
const EXPERIMENT_PREFIX = "experiment:";

export async function resolveTarget(deps: ResolveDeps, request: ResolveRequest): Promise<ServeTarget> {
  const { model } = request;
  if (model.startsWith(PROMPT_PREFIX)) {
    const selector = await rolloutArmOfPrompt(
      deps,
      request,
      parseSelector(model.slice(PROMPT_PREFIX.length), "prompt"),
    );
    const prompt = await renderPrompt(deps, request, selector);
    const { version, alias } = await versionFromPromptConfig(deps, request, prompt);
    return {
      version,
      modelAlias: alias,
      prompt: prompt.rendered,
      experiment: null,
      variant: null,
      baseParams: { ...defaults(version), ...prompt.params },
      forcedParams: {},
    };
  }
  if (model.startsWith(EXPERIMENT_PREFIX))
    return resolveExperiment(deps, request, model.slice(EXPERIMENT_PREFIX.length));
  const { version, alias } = await servedWithRollout(deps, request, model);
  return {
    version,
    modelAlias: alias,
    prompt: null,
    experiment: null,
    variant: null,
    baseParams: defaults(version),
    forcedParams: {},
  };
}

/**
 * Resolved versions per (project, reference), kept briefly: a data plane
 * cannot afford three queries per request. `name@3` never changes; an alias
 * move or a new latest version is seen within TARGET_TTL_MS. Entries are
 * refreshed ahead of expiry (`server/refresh-ahead.ts`), and requests that
 * miss together share one load.
 */
const TARGET_TTL_MS = Number(process.env.SWITCHYARD_GATEWAY_TARGET_TTL_MS ?? 5000);
/** A served version and the alias its reference went through (see ServeTarget.modelAlias). */
interface Resolved {
  version: ServedVersion;
  alias: string | null;
}
interface ResolvedEntry {
  resolved: Resolved;
  expires: number;
  refreshAt: number;
  resolvedAt: number;
}
interface VersionCache {
  resolved: Map<string, ResolvedEntry>;
  /** Loads in flight, background reloads included. */
  loading: Map<string, Promise<Resolved>>;
}
// One cache per database client (a process has one; tests use several).
const cacheByDb = new WeakMap<Db, VersionCache>();
/** While the database is unreachable, versions resolved within this long keep serving. */
const STALE_IF_ERROR_MS = 5 * 60_000;

export async function resolveModelVersion(db: Db, projectId: string, ref: string): Promise<ServedVersion> {
  return (await resolveServed(db, projectId, ref)).version;
}

async function resolveServed(db: Db, projectId: string, ref: string): Promise<Resolved> {
  if (!ref) throw new DomainError("VALIDATION", "model is required", [{ path: "model", message: "Required" }]);
  let cache = cacheByDb.get(db);
  if (!cache) {
    cache = { resolved: new Map(), loading: new Map() };
    cacheByDb.set(db, cache);
  }
  const key = `${projectId}\u0000${normalizeModelRef(ref)}`;
  const hit = cache.resolved.get(key);
  const now = Date.now();
  if (hit && hit.expires > now) {
    // Failures are left to the synchronous path at expiry (stale-if-error lives there).
    if (claimRefresh(hit, now)) load(db, cache, projectId, ref, key).catch(() => {});
    return hit.resolved;
  }
  try {
    return await load(db, cache, projectId, ref, key);
  } catch (error) {
    // The database did not answer (not "unknown model"): serve what it said last, for a while (stale-if-error).
    if (hit && !(error instanceof DomainError) && hit.resolvedAt + STALE_IF_ERROR_MS > Date.now()) {
      hit.expires = Date.now() + 1_000;
      return hit.resolved;
    }
    throw error;
  }
}

/** Resolves and loads the version (one load per key at a time) and caches it. */
function load(db: Db, cache: VersionCache, projectId: string, ref: string, key: string): Promise<Resolved> {
  return sharedLoad(cache.loading, key, async () => {
    const { version, alias } = await resolveModelRef({ db }, projectId, ref);
    const served = { version: await loadVersion(db, projectId, version.id), alias };
    if (TARGET_TTL_MS > 0) {
      if (cache.resolved.size > 10_000) cache.resolved.clear();
      const now = Date.now();
      cache.resolved.set(key, {
        resolved: served,
        expires: now + TARGET_TTL_MS,
        refreshAt: refreshAtFor(now, TARGET_TTL_MS),
        resolvedAt: now,
      });
    }
    return served;
  });
}

async function loadVersion(db: Db, projectId: string, versionId: string): Promise<ServedVersion> {
  const version = await db.modelVersion.findFirst({
    where: { id: versionId, model: { projectId } },
    include: { artifact: true, model: true },
  });
  if (!version) throw notFound("Model version", versionId);
  const label = `${version.model.name}@${version.version}`;
  if (version.model.provider === "onnx_local" && !version.artifact)
    throw new DomainError("UNPROCESSABLE", `${label} has no artifact to run`);
  if (version.model.provider !== "onnx_local" && (!version.endpointBaseUrl || !version.upstreamModelId))
    throw new DomainError("UNPROCESSABLE", `${label} has no upstream endpoint`);
  return version;
}

function defaults(version: ServedVersion): GenerationParams {
  return params(version.defaultParams);
}

/** Stored params are validated on write; anything unreadable is ignored rather than failing traffic. */
const partialParams = generationParams.partial();

function params(raw: unknown): GenerationParams {
  const parsed = partialParams.safeParse(raw ?? {});
  return parsed.success ? parsed.data : {};
}

type Selector = { name: string; label?: string; version?: number };

/** `NAME`, `NAME@label`, `NAME@3` or `NAME:3`. */
function parseSelector(ref: string, what: string): Selector {
  const match = /^([^@:]+)(?:@([^@:]+)|:(\d+))?$/.exec(ref);
  if (!match)
    throw new DomainError(
      "VALIDATION",
      `'${what}:${ref}' is not a valid ${what} reference (NAME, NAME@label, NAME@3)`,
      [{ path: "model", message: "Invalid reference" }],
    );
  const [, name, selector, colonVersion] = match;
  if (colonVersion) return { name, version: versionOfRef(`${what}:${ref}`, colonVersion) };
  if (selector && /^\d+$/.test(selector)) return { name, version: versionOfRef(`${what}:${ref}`, selector) };
  return selector ? { name, label: selector } : { name };
}

interface PromptChoice {
  rendered: RenderedPrompt;
  modelRef: string | null;
  params: GenerationParams;
}

async function renderPrompt(deps: ResolveDeps, request: ResolveRequest, selector: Selector): Promise<PromptChoice> {
  const cacheDeps = { db: deps.db, cache: deps.promptCache, caller: { projectId: request.projectId } };
  // Pin the version first, so a label move between the two reads cannot mix versions.
  const found = await fetchPrompt(cacheDeps, selector);
  const rendered = await renderStoredPrompt(cacheDeps, {
    name: found.name,
    version: found.version,
    variables: request.variables,
  });
  const config = found.config as { model?: unknown; params?: unknown } & Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const field of PROMPT_REQUEST_FIELDS) if (config[field] != null) fields[field] = config[field];
  return {
    rendered: {
      // fetchPrompt's ETag is the version's id, quoted.
      id: JSON.parse(found.etag) as string,
      name: found.name,
      version: found.version,
      type: found.type,
      text: rendered.text,
      messages: rendered.messages,
      fields,
    },
    modelRef: typeof config.model === "string" && config.model ? config.model : null,
    params: params(config.params),
  };
}

/** The rollout's unit: OpenAI's `user`, else the session, else this request alone (not sticky). */
const unitOf = (request: ResolveRequest) => request.user || request.session || request.requestId;

/** A label (never a pinned version, nor `latest`) under a live rollout may send this unit to the candidate. */
async function rolloutArmOfPrompt(deps: ResolveDeps, request: ResolveRequest, selector: Selector): Promise<Selector> {
  if (!deps.rollouts || selector.version || selector.label === "latest") return selector;
  const live = await deps.rollouts.find(request.projectId, "prompt", selector.name, selector.label ?? "production");
  if (!live || !takesCandidate(live.salt, unitOf(request), live.candidatePercent)) return selector;
  return { name: selector.name, version: live.candidateVersion };
}

/** The model a reference serves; through an alias under a live rollout, the candidate for its share of units. */
async function servedWithRollout(deps: ResolveDeps, request: ResolveRequest, ref: string): Promise<Resolved> {
  const served = await resolveServed(deps.db, request.projectId, ref);
  if (!deps.rollouts || !served.alias) return served;
  const name = served.version.model.name;
  const live = await deps.rollouts.find(request.projectId, "model", name, served.alias);
  // The alias moved away from the rollout's stable version (a person did it): the rollout no longer describes it.
  if (!live || live.stableVersionId !== served.version.id) return served;
  if (!takesCandidate(live.salt, unitOf(request), live.candidatePercent)) return served;
  const candidate = await resolveServed(deps.db, request.projectId, `${name}@${live.candidateVersion}`);
  return { version: candidate.version, alias: served.alias };
}

async function versionFromPromptConfig(
  deps: ResolveDeps,
  request: ResolveRequest,
  prompt: PromptChoice,
): Promise<Resolved> {
  if (!prompt.modelRef)
    throw new DomainError(
      "UNPROCESSABLE",
      `Prompt '${prompt.rendered.name}' v${prompt.rendered.version} names no model: set config.model on the version`,
      [{ path: "model", message: "The prompt has no model" }],
    );
  return servedWithRollout(deps, request, prompt.modelRef);
}

/**
 * A running experiment assigns the unit (sticky on `user`, else one random
 * non-sticky draw) and logs the exposure. Outside the traffic share, or when
 * the experiment is not running, the request gets the default — the winner
 * once concluded, else the control — with no exposure and no variant.
 */
async function resolveExperiment(deps: ResolveDeps, request: ResolveRequest, name: string): Promise<ServeTarget> {
  const experiment = await deps.db.experiment.findUnique({
    where: { projectId_name: { projectId: request.projectId, name } },
    include: {
      variants: { include: { promptVersion: { select: { version: true } } }, orderBy: { position: "asc" } },
      prompt: { select: { name: true } },
    },
  });
  if (!experiment) throw notFound("Experiment", name);
  let exposed: (typeof experiment.variants)[number] | undefined;
  if (experiment.status === "running") {
    // The gateway is its own entry point: it validates what it hands the service (see server/modules/README.md).
    const [assignment] = await assignUnits(
      { db: deps.db, caller: { projectId: request.projectId } },
      assignInput.parse({
        experimentId: experiment.id,
        unitIds: request.user ? [request.user] : undefined,
        requestId: request.requestId,
      }),
    );
    exposed = experiment.variants.find((v) => v.id === assignment?.variant?.id);
  }
  const winnerKey = (experiment.decision as { winnerKey?: string } | null)?.winnerKey;
  const served =
    exposed ??
    (experiment.status === "concluded" ? experiment.variants.find((v) => v.key === winnerKey) : undefined) ??
    experiment.variants.find((v) => v.isControl) ??
    experiment.variants[0];
  if (!served) throw new DomainError("UNPROCESSABLE", `Experiment '${name}' has no variants`);

  let prompt: PromptChoice | null = null;
  if (experiment.prompt) {
    // A variant without a prompt version keeps the prompt the experiment would promote to.
    const selector: Selector = served.promptVersion
      ? { name: experiment.prompt.name, version: served.promptVersion.version }
      : { name: experiment.prompt.name, label: experiment.promoteLabel };
    prompt = await renderPrompt(deps, request, selector);
  }
  let resolved: Resolved;
  if (served.modelVersionId)
    resolved = { version: await loadVersion(deps.db, request.projectId, served.modelVersionId), alias: null };
  else if (prompt) resolved = await versionFromPromptConfig(deps, request, prompt);
  else throw new DomainError("UNPROCESSABLE", `Variant '${served.key}' of experiment '${name}' names no model`);
  const { version } = resolved;
  return {
    version,
    modelAlias: resolved.alias,
    prompt: prompt?.rendered ?? null,
    experiment: { id: experiment.id, name: experiment.name },
    variant: exposed ? { id: exposed.id, key: exposed.key } : null,
    baseParams: { ...defaults(version), ...(prompt?.params ?? {}) },
    forcedParams: params(served.params),
  };
}
