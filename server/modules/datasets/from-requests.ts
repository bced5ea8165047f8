// "Add to dataset" from the request explorer: logged requests become chat examples (request-examples.ts) of a new
// dataset, or are appended to the latest version of an existing chat dataset as a new version whose other rows
// are shared with it. Every request must qualify, or nothing is written and the answer names each refusal.
import type { z } from "zod";
import type { addRequestsInput } from "@/lib/dataset-forms";
import { requireScope } from "@/server/auth/caller";
import { DomainError, notFound } from "@/server/errors";
import type { DatasetExample } from "@/server/modules/datasets/core/types";
import { exampleFromRequest } from "@/server/modules/datasets/request-examples";
import type { versionOut } from "@/server/modules/datasets/schemas";
import { toVersionOut } from "@/server/modules/datasets/service";
import { finishVersion, inSqlTransaction, openDataset, startVersion } from "@/server/modules/datasets/sql";
import { type ExampleRow, readExamples, writeDerivedRows } from "@/server/modules/datasets/versions";
import type { ServiceDeps } from "@/server/modules/deps";
import { countExampleTokens, roughTokenCount } from "@/server/modules/guardrails/tokens";
import { getRequest } from "@/server/modules/request-log/explorer";
import type { RequestLogDeps } from "@/server/modules/request-log/queryable";

const rowOf = (example: DatasetExample): ExampleRow => ({
  example,
  tokens: countExampleTokens(example.messages, roughTokenCount),
});

/** The requests as examples, in the order given; any refusal is a 400 naming every refused request. */
async function examplesOf(deps: RequestLogDeps, projectId: string, ids: string[]): Promise<DatasetExample[]> {
  const unique = [...new Set(ids)];
  const issues: { path: string; message: string }[] = [];
  const examples: DatasetExample[] = [];
  for (const [i, id] of unique.entries()) {
    let entry: Awaited<ReturnType<typeof getRequest>>;
    try {
      entry = await getRequest(deps, { id, projectId });
    } catch (error) {
      if (error instanceof DomainError && error.code === "NOT_FOUND") {
        issues.push({ path: `requestIds.${i}`, message: `Request ${id} is not in this project's log` });
        continue;
      }
      throw error;
    }
    const made = exampleFromRequest({
      id: entry.id,
      status: entry.status,
      model: entry.requestedModel,
      requestBody: entry.requestBody,
      responseBody: entry.responseBody,
    });
    if ("refusal" in made)
      issues.push({ path: `requestIds.${i}`, message: `Request ${id} cannot be added: ${made.refusal}` });
    else examples.push(made.example);
  }
  if (issues.length)
    throw new DomainError(
      "VALIDATION",
      issues.length === 1
        ? issues[0].message
        : `${issues.length} of ${unique.length} requests cannot be added: ${issues[0].message}; …`,
      issues,
    );
  return examples;
}

/** Adds logged requests to a dataset as one new version (of a new dataset, or appended to an existing one). */
export async function addRequestsToDataset(
  deps: ServiceDeps & RequestLogDeps,
  input: z.output<typeof addRequestsInput>,
): Promise<z.infer<typeof versionOut> & { datasetId: string; added: number }> {
  const { caller } = deps;
  // The examples are logged conversations: whoever adds them must be allowed to read the log.
  requireScope(caller, "monitoring:read", "Adding logged requests to a dataset reads their bodies");
  let parent: { id: string; version: number } | null = null;
  if (input.datasetId) {
    const dataset = await deps.db.dataset.findFirst({ where: { id: input.datasetId, projectId: caller.projectId } });
    if (!dataset) throw notFound("Dataset", input.datasetId);
    if (dataset.format !== "chat")
      throw new DomainError(
        "VALIDATION",
        `Dataset '${dataset.name}' is a completion dataset: requests go into chat datasets`,
        [{ path: "datasetId", message: "Choose a chat dataset, or a new one" }],
      );
    parent = await deps.db.datasetVersion.findFirst({
      where: { datasetId: dataset.id, version: { gt: 0 } },
      orderBy: { version: "desc" },
      select: { id: true, version: true },
    });
  }
  const examples = await examplesOf(deps, caller.projectId, input.requestIds);
  const writer = { projectId: caller.projectId, actor: caller.actor };
  const db = deps.db;
  const versionId = await inSqlTransaction(db, async (client) => {
    const dataset = await openDataset(client, caller.projectId, { datasetId: input.datasetId, name: input.name });
    if (!dataset) throw notFound("Dataset", input.datasetId);
    const draft = {
      datasetId: dataset.id,
      parentId: parent?.id ?? null,
      operation: "from_requests",
      params: { requestIds: examples.map((e) => String(e.metadata?.request_id)) },
    };
    const id = await startVersion(client, writer, draft);
    const rows = (async function* (): AsyncGenerator<ExampleRow> {
      if (parent) for await (const stored of readExamples(db, parent.id)) yield stored;
      for (const example of examples) yield rowOf(example);
    })();
    const written = await writeDerivedRows(client, id, rows);
    await finishVersion(client, writer, { ...draft, versionId: id }, { ...written, report: {}, format: "chat" });
    return id;
  });
  const saved = await db.datasetVersion.findUniqueOrThrow({ where: { id: versionId } });
  return { ...toVersionOut(saved, parent?.version ?? null), datasetId: saved.datasetId, added: examples.length };
}
