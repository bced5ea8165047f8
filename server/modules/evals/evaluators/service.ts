// Evaluators: named per project, immutable numbered versions (type, config, threshold, negate). Writes audit in
// their transaction; a version identical to the latest is refused (409) and nothing is written.
import { randomBytes } from "node:crypto";
import type { z } from "zod";
import type {
  createEvaluatorInput,
  createEvaluatorVersionInput,
  tryEvaluatorInput,
} from "@/lib/evals/evaluator-inputs";
import { configWithDefaults, DEFAULT_THRESHOLDS, type EvaluatorType } from "@/lib/evals/evaluators";
import { encryptSecret } from "@/server/crypto/secrets";
import type { DbTx } from "@/server/db";
import { DomainError, mapPrismaError, notFound, retryOnUniqueViolation } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import { canonicalJson } from "@/server/modules/datasets/core/canonical";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { gatewayModelCaller } from "../model-call";
import { loadEvaluatorSpecs } from "../score";
import type { EvaluatorSpec } from "../types";
import { checkDefinition } from "./check";
import { runEvaluator } from "./run";
import type {
  evaluatorDetail,
  evaluatorSummary,
  evaluatorVersionOut,
  savedEvaluatorOut,
  tryResultOut,
} from "./schemas";

type VersionOut = z.infer<typeof evaluatorVersionOut>;
type Definition = { type: EvaluatorType; config: Record<string, unknown>; threshold: number | null; negate: boolean };

interface VersionRow {
  id: string;
  version: number;
  type: string;
  config: unknown;
  threshold: number | null;
  negate: boolean;
  createdByLabel: string;
  createdAt: Date;
}

function toVersionOut(row: VersionRow): VersionOut {
  const type = row.type as EvaluatorType;
  return {
    id: row.id,
    version: row.version,
    type,
    config: (row.config ?? {}) as Record<string, unknown>,
    threshold: row.threshold,
    effectiveThreshold: row.threshold ?? DEFAULT_THRESHOLDS[type] ?? 1,
    negate: row.negate,
    createdByLabel: row.createdByLabel,
    createdAt: row.createdAt,
  };
}

/** The definition as stored: the config with its defaults, checked where it needs the server. */
async function prepare(deps: ProjectDeps, input: Definition): Promise<Definition> {
  const config = configWithDefaults(input.type, input.config);
  await checkDefinition(deps.db, deps.caller.projectId, input.type, config);
  return { type: input.type, config, threshold: input.threshold, negate: input.negate };
}

async function insertVersion(tx: DbTx, deps: ServiceDeps, evaluator: { id: string; name: string }, def: Definition) {
  const last = await tx.evaluatorVersion.findFirst({
    where: { evaluatorId: evaluator.id },
    orderBy: { version: "desc" },
    select: { version: true },
  });
  const row = await tx.evaluatorVersion.create({
    data: {
      evaluatorId: evaluator.id,
      version: (last?.version ?? 0) + 1,
      type: def.type,
      config: def.config as Prisma.InputJsonValue,
      threshold: def.threshold,
      negate: def.negate,
      createdById: deps.caller.actor.userId,
      createdByLabel: deps.caller.actor.label,
    },
  });
  await tx.evaluator.update({ where: { id: evaluator.id }, data: { updatedAt: new Date() } });
  await recordAudit(tx, deps.caller.actor, {
    projectId: deps.caller.projectId,
    action: "evaluator.version.create",
    targetType: "evaluator",
    targetId: evaluator.id,
    summary: { evaluator: evaluator.name, version: row.version, type: def.type },
  });
  return toVersionOut(row);
}

/** The secret to store for a save: the caller's, else a new one for an HTTP evaluator that has none. */
function secretFor(type: EvaluatorType, given: string | undefined, hasOne: boolean) {
  if (given) return { plain: null, ciphertext: encryptSecret(given) };
  if (type !== "http" || hasOne) return null;
  const plain = `whsec_${randomBytes(24).toString("base64url")}`;
  return { plain, ciphertext: encryptSecret(plain) };
}

/** Creates an evaluator with its version 1 (one transaction). */
export async function createEvaluator(
  deps: ServiceDeps,
  input: z.output<typeof createEvaluatorInput>,
): Promise<z.infer<typeof savedEvaluatorOut>> {
  const def = await prepare(deps, input);
  const secret = secretFor(def.type, input.secret, false);
  try {
    return await deps.db.$transaction(async (tx) => {
      const evaluator = await tx.evaluator.create({
        data: {
          projectId: deps.caller.projectId,
          name: input.name,
          description: input.description,
          secretCiphertext: secret?.ciphertext ?? null,
        },
      });
      await recordAudit(tx, deps.caller.actor, {
        projectId: deps.caller.projectId,
        action: "evaluator.create",
        targetType: "evaluator",
        targetId: evaluator.id,
        summary: { name: input.name, type: def.type, secretSet: Boolean(secret) },
      });
      const version = await insertVersion(tx, deps, evaluator, def);
      return { evaluatorId: evaluator.id, version, secret: secret?.plain ?? null };
    });
  } catch (error) {
    throw mapPrismaError(error, `An evaluator named '${input.name}' already exists in this project`);
  }
}

const sameDefinition = (a: Definition, b: VersionRow) =>
  a.type === b.type &&
  a.negate === b.negate &&
  a.threshold === b.threshold &&
  canonicalJson(a.config) === canonicalJson(b.config ?? {});

/** Adds version latest+1; the same content as the latest is a 409 (nothing written) unless the secret changes. */
export async function createEvaluatorVersion(
  deps: ServiceDeps,
  input: z.output<typeof createEvaluatorVersionInput>,
): Promise<z.infer<typeof savedEvaluatorOut>> {
  const evaluator = await deps.db.evaluator.findFirst({
    where: { id: input.evaluatorId, projectId: deps.caller.projectId },
  });
  if (!evaluator) throw notFound("Evaluator", input.evaluatorId);
  const def = await prepare(deps, input);
  const latest = await deps.db.evaluatorVersion.findFirst({
    where: { evaluatorId: evaluator.id },
    orderBy: { version: "desc" },
  });
  if (latest && !input.secret && sameDefinition(def, latest))
    throw new DomainError(
      "CONFLICT",
      `Nothing changed: the type, config, threshold and negation are the same as v${latest.version}, so no version was saved`,
    );
  const secret = secretFor(def.type, input.secret, evaluator.secretCiphertext !== null);
  return retryOnUniqueViolation(() =>
    deps.db.$transaction(async (tx) => {
      if (secret) {
        await tx.evaluator.update({ where: { id: evaluator.id }, data: { secretCiphertext: secret.ciphertext } });
        await recordAudit(tx, deps.caller.actor, {
          projectId: deps.caller.projectId,
          action: "evaluator.secret.set",
          targetType: "evaluator",
          targetId: evaluator.id,
          summary: { evaluator: evaluator.name, generated: secret.plain !== null },
        });
      }
      const version = await insertVersion(tx, deps, evaluator, def);
      return { evaluatorId: evaluator.id, version, secret: secret?.plain ?? null };
    }),
  );
}

const summaryOf = (
  row: {
    id: string;
    name: string;
    description: string;
    secretCiphertext: string | null;
    createdAt: Date;
    updatedAt: Date;
  },
  versions: VersionRow[],
  versionCount: number,
) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  hasSecret: row.secretCiphertext !== null,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  versionCount,
  latest: versions[0] ? toVersionOut(versions[0]) : null,
});

/** Every evaluator of the project with its latest version, by name. */
export async function listEvaluators(deps: ProjectDeps): Promise<z.infer<typeof evaluatorSummary>[]> {
  const rows = await deps.db.evaluator.findMany({
    where: { projectId: deps.caller.projectId },
    orderBy: { name: "asc" },
    include: { versions: { orderBy: { version: "desc" }, take: 1 }, _count: { select: { versions: true } } },
  });
  return rows.map((row) => summaryOf(row, row.versions, row._count.versions));
}

/** One evaluator with all its versions, newest first. */
export async function getEvaluator(
  deps: ProjectDeps,
  { id }: { id: string },
): Promise<z.infer<typeof evaluatorDetail>> {
  const row = await deps.db.evaluator.findFirst({
    where: { id, projectId: deps.caller.projectId },
    include: { versions: { orderBy: { version: "desc" } } },
  });
  if (!row) throw notFound("Evaluator", id);
  return { ...summaryOf(row, row.versions, row.versions.length), versions: row.versions.map(toVersionOut) };
}

/** How long "Try it" waits for an evaluator that calls models or a service. */
const TRY_TIMEOUT_MS = 120_000;

/**
 * Scores one sample with a stored version or an unsaved definition, writing nothing but the request log of the
 * calls a judge or embedding evaluator makes (tagged `evaluator_try`).
 */
export async function tryEvaluator(
  deps: ServiceDeps,
  input: z.output<typeof tryEvaluatorInput>,
): Promise<z.infer<typeof tryResultOut>> {
  const { projectId } = deps.caller;
  let spec: EvaluatorSpec;
  if (input.evaluatorVersionId) {
    [spec] = await loadEvaluatorSpecs(deps.db, projectId, [
      { evaluatorVersionId: input.evaluatorVersionId, weight: 1 },
    ]);
  } else {
    const def = await prepare(deps, { ...input, type: input.type as EvaluatorType });
    let secretCiphertext: string | null = null;
    if (input.evaluatorId) {
      const evaluator = await deps.db.evaluator.findFirst({ where: { id: input.evaluatorId, projectId } });
      if (!evaluator) throw notFound("Evaluator", input.evaluatorId);
      secretCiphertext = evaluator.secretCiphertext;
    }
    if (def.type === "http" && !secretCiphertext)
      throw new DomainError(
        "VALIDATION",
        "An HTTP evaluator is tried with its secret: save it first, or name it in evaluatorId",
        [{ path: "evaluatorId", message: "Name the HTTP evaluator whose secret signs the request" }],
      );
    spec = { evaluatorVersionId: "", name: "try", version: 0, ...def, weight: 1 };
    Object.defineProperty(spec, "secretCiphertext", { value: secretCiphertext, enumerable: false });
  }
  const caller = gatewayModelCaller(deps.db, {
    projectId,
    apiKeyId: deps.caller.actor.keyId,
    tag: "evaluator_try",
    log: "write",
  });
  try {
    const sample = {
      input: { messages: input.input ? [{ role: "user", content: input.input }] : [] },
      output: input.output,
      ...(input.expected !== undefined ? { expected: input.expected } : {}),
    };
    const score = await runEvaluator(
      { db: deps.db, projectId, callModel: caller.call, signal: AbortSignal.timeout(TRY_TIMEOUT_MS) },
      spec,
      sample,
    );
    return { score: score.score, passed: score.passed, reason: score.reason, costUsd: score.costUsd };
  } finally {
    await caller.close();
  }
}
