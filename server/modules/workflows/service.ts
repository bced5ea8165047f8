// Workflows: save (a new immutable version per change), list, get; runs are in runs.ts.
import type { z } from "zod";
import type { saveInput, workflowIdInput } from "@/lib/workflows/api";
import type { WorkflowDefinition } from "@/lib/workflows/schema";
import { validateWorkflow } from "@/lib/workflows/validate";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import { type Prisma, Prisma as PrismaNs } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";

/** Validation as the editor asks for it: every error with its line and column, and the steps for a preview graph. */
export function validateSource(source: string) {
  const { definition, errors } = validateWorkflow(source);
  return {
    valid: errors.length === 0,
    errors,
    steps: definition
      ? definition.order.map((id) => ({ id, uses: definition.steps[id].uses, needs: definition.steps[id].needs }))
      : [],
  };
}

/** A document that does not validate: 400, the first errors named by line and column, nothing written. */
function parseOrThrow(source: string): WorkflowDefinition {
  const { definition, errors } = validateWorkflow(source);
  if (definition) return definition;
  const shown = errors.slice(0, 20);
  throw new DomainError(
    "BAD_REQUEST",
    `The workflow is invalid: ${shown.map((e) => `line ${e.line}, column ${e.column}: ${e.message}`).join("; ")}`,
    shown.map((e) => ({ path: `source:${e.line}:${e.column}`, message: e.message })),
  );
}

type WorkflowRow = Prisma.WorkflowGetPayload<{
  include: {
    versions: { orderBy: { version: "desc" }; take: 1; select: { version: true; definition: true } };
    runs: { orderBy: { createdAt: "desc" }; take: 1; select: { id: true; status: true; createdAt: true } };
  };
}>;

const listInclude = {
  versions: { orderBy: { version: "desc" }, take: 1, select: { version: true, definition: true } },
  runs: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true, createdAt: true } },
} as const;

function toWorkflow(w: WorkflowRow) {
  const latest = w.versions[0];
  const definition = latest?.definition as unknown as WorkflowDefinition | undefined;
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    enabled: w.enabled,
    latestVersion: latest?.version ?? 0,
    triggers: [...new Set((definition?.triggers ?? []).map((t) => t.type))],
    lastRun: w.runs[0] ?? null,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

const versionSelect = { id: true, version: true, source: true, createdByLabel: true, createdAt: true } as const;

/**
 * Saves a document: the workflow named in it is created, or gets a new version. A document identical to the latest
 * version is refused (409) and nothing is written. Runs started later act with the saver's scopes.
 */
export async function saveWorkflow(deps: ServiceDeps, input: z.output<typeof saveInput>) {
  const { db, caller } = deps;
  const definition = parseOrThrow(input.source);
  try {
    return await db.$transaction(async (tx) => {
      let workflow = await tx.workflow.findUnique({
        where: { projectId_name: { projectId: caller.projectId, name: definition.name } },
      });
      if (input.workflowId && workflow?.id !== input.workflowId) {
        const named = await tx.workflow.findFirst({ where: { id: input.workflowId, projectId: caller.projectId } });
        if (!named) throw notFound("Workflow", input.workflowId);
        throw new DomainError(
          "BAD_REQUEST",
          `The workflow is named '${named.name}'; a document named '${definition.name}' is another workflow`,
          [{ path: "source", message: "The name cannot change" }],
        );
      }
      const latest = workflow
        ? await tx.workflowVersion.findFirst({ where: { workflowId: workflow.id }, orderBy: { version: "desc" } })
        : null;
      if (latest && latest.source === input.source)
        throw new DomainError("CONFLICT", `The document is identical to version ${latest.version}: nothing to save`);
      if (!workflow)
        workflow = await tx.workflow.create({
          data: { projectId: caller.projectId, name: definition.name, description: definition.description },
        });
      else
        await tx.workflow.update({
          where: { id: workflow.id },
          data: { description: definition.description, updatedAt: new Date() },
        });
      const version = await tx.workflowVersion.create({
        data: {
          workflowId: workflow.id,
          version: (latest?.version ?? 0) + 1,
          source: input.source,
          definition: definition as unknown as Prisma.InputJsonValue,
          scopes: [...caller.scopes],
          createdById: caller.actor.userId,
          createdByLabel: caller.actor.label,
        },
        select: versionSelect,
      });
      await recordAudit(tx, caller.actor, {
        projectId: caller.projectId,
        action: latest ? "workflow.version" : "workflow.create",
        targetType: "workflow",
        targetId: workflow.id,
        summary: { name: definition.name, version: version.version },
      });
      const saved = await tx.workflow.findUniqueOrThrow({ where: { id: workflow.id }, include: listInclude });
      return { workflow: toWorkflow(saved), version, created: !latest };
    });
  } catch (error) {
    // Two saves of the same workflow at once: the second's version number is taken.
    if (error instanceof PrismaNs.PrismaClientKnownRequestError && error.code === "P2002")
      throw new DomainError("CONFLICT", "The workflow was saved meanwhile; reload and try again");
    throw error;
  }
}

export async function listWorkflows(deps: ProjectDeps) {
  const rows = await deps.db.workflow.findMany({
    where: { projectId: deps.caller.projectId },
    include: listInclude,
    orderBy: { name: "asc" },
  });
  return rows.map(toWorkflow);
}

export async function findWorkflow(db: Db, projectId: string, id: string) {
  const row = await db.workflow.findFirst({ where: { id, projectId } });
  if (!row) throw notFound("Workflow", id);
  return row;
}

export async function getWorkflow(deps: ProjectDeps, { id }: z.output<typeof workflowIdInput>) {
  await findWorkflow(deps.db, deps.caller.projectId, id);
  const row = await deps.db.workflow.findUniqueOrThrow({ where: { id }, include: listInclude });
  const versions = await deps.db.workflowVersion.findMany({
    where: { workflowId: id },
    orderBy: { version: "desc" },
    select: versionSelect,
  });
  const definition = row.versions[0]?.definition as unknown as WorkflowDefinition | undefined;
  return { ...toWorkflow(row), versions, inputs: definition?.inputs ?? {} };
}
