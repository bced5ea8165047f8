import type { z } from "zod";
import type { Caller } from "@/server/auth/caller";
import type { DbTx } from "@/server/db";
import { DomainError, mapPrismaError, notFound, retryOnUniqueViolation } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { PROMPT_LABEL_CHANNEL } from "@/server/modules/prompts/cache";
import { canonicalJson } from "@/server/modules/prompts/diff/config";
import { findPrompt } from "@/server/modules/prompts/find";
import { promptInclude, toPromptSummary, toVersionOut } from "@/server/modules/prompts/mapping";
import type {
  createPromptInput,
  createPromptVersionInput,
  PromptTemplate,
  promptDetail,
  promptSummary,
} from "@/server/modules/prompts/schemas";
import { analyzeTemplate } from "@/server/modules/prompts/templating";
import { paged, textSearch } from "@/server/pagination";

function checkShape(type: "text" | "chat", template: PromptTemplate) {
  if (type === "text" && typeof template !== "string")
    throw new DomainError("VALIDATION", "A text prompt's template is one string", [
      { path: "template", message: "Expected a string" },
    ]);
  if (type === "chat" && typeof template === "string")
    throw new DomainError("VALIDATION", "A chat prompt's template is a list of messages", [
      { path: "template", message: "Expected [{ role, content }]" },
    ]);
}

export async function listPrompts(
  deps: ProjectDeps,
  input: { page: number; pageSize: number; search?: string; folder?: string },
): Promise<{ items: z.infer<typeof promptSummary>[]; total: number; page: number; pageSize: number }> {
  const where: Prisma.PromptWhereInput = {
    projectId: deps.caller.projectId,
    ...(input.folder ? { name: { startsWith: `${input.folder.replace(/\/$/, "")}/` } } : {}),
    ...textSearch(input.search, { tags: true }),
  };
  return paged(
    input,
    (window) => deps.db.prompt.findMany({ where, include: promptInclude, orderBy: { name: "asc" }, ...window }),
    () => deps.db.prompt.count({ where }),
    toPromptSummary,
  );
}

export async function getPrompt(deps: ProjectDeps, { id }: { id: string }): Promise<z.infer<typeof promptDetail>> {
  const row = await deps.db.prompt.findFirst({
    where: { id, projectId: deps.caller.projectId },
    include: {
      ...promptInclude,
      versions: { include: { labels: { select: { name: true } } }, orderBy: { version: "desc" } },
    },
  });
  if (!row) throw notFound("Prompt", id);
  return { ...toPromptSummary(row), versions: row.versions.map(toVersionOut) };
}

async function insertVersion(
  tx: DbTx,
  caller: Caller,
  prompt: { id: string; name: string },
  input: { template: PromptTemplate; config: Record<string, unknown>; commitMessage: string },
  variables: string[],
) {
  const last = await tx.promptVersion.findFirst({
    where: { promptId: prompt.id },
    orderBy: { version: "desc" },
    select: { version: true },
  });
  const row = await tx.promptVersion.create({
    data: {
      promptId: prompt.id,
      version: (last?.version ?? 0) + 1,
      template: input.template as Prisma.InputJsonValue,
      config: input.config as Prisma.InputJsonValue,
      variables,
      commitMessage: input.commitMessage,
      createdById: caller.actor.userId,
      createdByLabel: caller.actor.label,
    },
    include: { labels: { select: { name: true } } },
  });
  await tx.prompt.update({ where: { id: prompt.id }, data: { updatedAt: new Date() } });
  // `latest` moved: cached fetches of this prompt are dropped in every process.
  await tx.$executeRaw`SELECT pg_notify(${PROMPT_LABEL_CHANNEL}, ${JSON.stringify({ projectId: caller.projectId, name: prompt.name })})`;
  await recordAudit(tx, caller.actor, {
    projectId: caller.projectId,
    action: "prompt.version.create",
    targetType: "prompt",
    targetId: prompt.id,
    summary: { prompt: prompt.name, version: row.version, commitMessage: input.commitMessage },
  });
  return toVersionOut(row);
}

/** Creates a prompt and its version 1 in one transaction; the template must parse. */
export async function createPrompt(deps: ServiceDeps, input: z.output<typeof createPromptInput>) {
  const { caller } = deps;
  checkShape(input.type, input.template);
  const { variables } = await analyzeTemplate(deps, input.template, { name: input.name, version: 1 });
  try {
    return await deps.db.$transaction(async (tx) => {
      const prompt = await tx.prompt.create({
        data: {
          projectId: caller.projectId,
          name: input.name,
          type: input.type,
          description: input.description,
          tags: input.tags,
        },
      });
      await recordAudit(tx, caller.actor, {
        projectId: caller.projectId,
        action: "prompt.create",
        targetType: "prompt",
        targetId: prompt.id,
        summary: { name: input.name, type: input.type },
      });
      const version = await insertVersion(tx, caller, prompt, input, variables);
      return { promptId: prompt.id, version };
    });
  } catch (error) {
    throw mapPrismaError(error, `A prompt named '${input.name}' already exists in this project`);
  }
}

/** Adds version latest+1 (immutable); concurrent saves retry on the unique (prompt, version) index. */
export async function createPromptVersion(deps: ServiceDeps, input: z.output<typeof createPromptVersionInput>) {
  const { caller } = deps;
  const prompt = await findPrompt(deps.db, caller.projectId, input.promptId);
  checkShape(prompt.type, input.template);
  const latest = await deps.db.promptVersion.findFirst({
    where: { promptId: prompt.id },
    orderBy: { version: "desc" },
  });
  // Versions are immutable history: a copy of the latest one would only add noise (and a misleading "change").
  if (latest && sameContent(latest, input))
    throw new DomainError(
      "CONFLICT",
      `Nothing changed: the template and config are the same as v${latest.version}, so no version was saved`,
    );
  const { variables } = await analyzeTemplate(deps, input.template, {
    name: prompt.name,
    version: (latest?.version ?? 0) + 1,
  });
  return retryOnUniqueViolation(() =>
    deps.db.$transaction((tx) => insertVersion(tx, caller, prompt, input, variables)),
  );
}

/** Template and config equal as JSON, whatever the key order (jsonb does not keep it). */
function sameContent(a: { template: unknown; config: unknown }, b: { template: unknown; config: unknown }) {
  return canonicalJson({ t: a.template, c: a.config ?? {} }) === canonicalJson({ t: b.template, c: b.config ?? {} });
}
