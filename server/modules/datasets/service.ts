import type { z } from "zod";
import type { Db, DbTx } from "@/server/db";
import { DomainError, mapPrismaError, notFound } from "@/server/errors";
import {
  assertImportable,
  type ByteSource,
  Deduplicator,
  decideImport,
  ExampleFilter,
  exportJsonlStream,
  importJsonl,
  PiiMasker,
  splitPoint,
} from "@/server/modules/datasets/core";
import type { DatasetExampleOut } from "@/server/modules/datasets/output-schemas";
import {
  type importQuery,
  type TransformInput,
  transformInput,
  type versionOut,
} from "@/server/modules/datasets/schemas";
import { modelTokenCounter } from "@/server/modules/datasets/tokenizer";
import { type ExampleRow, readExamples, writeVersion } from "@/server/modules/datasets/versions";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { paged } from "@/server/pagination";

/** Long imports and transforms run in one transaction: all or nothing. */
const LONG_TX = { timeout: 60 * 60_000, maxWait: 10_000 };

type VersionOut = z.infer<typeof versionOut>;
type VersionRow = Awaited<ReturnType<Db["datasetVersion"]["findFirstOrThrow"]>>;
function toVersionOut(v: VersionRow, parentVersion: number | null): VersionOut {
  return {
    id: v.id,
    version: v.version,
    parentId: v.parentId,
    parentVersion,
    operation: v.operation,
    params: (v.params ?? {}) as VersionOut["params"],
    contentHash: v.contentHash,
    exampleCount: v.exampleCount,
    stats: (v.stats ?? {}) as VersionOut["stats"],
    report: (v.report ?? {}) as VersionOut["report"],
    createdByLabel: v.createdByLabel,
    createdAt: v.createdAt,
  };
}

export async function listDatasets(deps: ProjectDeps) {
  const rows = await deps.db.dataset.findMany({
    where: { projectId: deps.caller.projectId },
    orderBy: { updatedAt: "desc" },
    include: { versions: { orderBy: { version: "desc" } } },
  });
  return rows.map((d) => {
    const byId = new Map(d.versions.map((v) => [v.id, v.version]));
    return {
      id: d.id,
      name: d.name,
      description: d.description,
      format: d.format,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      latestVersion: d.versions[0]?.version ?? null,
      exampleCount: d.versions[0]?.exampleCount ?? null,
      versions: d.versions.map((v) => toVersionOut(v, v.parentId ? (byId.get(v.parentId) ?? null) : null)),
    };
  });
}

export async function getDataset(deps: ProjectDeps, { id }: { id: string }) {
  const found = (await listDatasets(deps)).find((d) => d.id === id);
  if (!found) throw notFound("Dataset", id);
  return found;
}

async function findVersion(db: Db | DbTx, projectId: string, versionId: string) {
  const version = await db.datasetVersion.findFirst({
    where: { id: versionId, dataset: { projectId } },
    include: { dataset: true },
  });
  if (!version) throw notFound("Dataset version", versionId);
  return version;
}

/**
 * Imports a JSONL stream as a new version (of a new or existing dataset), in
 * one transaction: in strict mode any error rolls everything back and the
 * error lists the offending lines; in lenient mode the good lines are kept
 * and the rejected ones are reported on the version.
 */
export async function importDataset(
  deps: ServiceDeps,
  { source, ...query }: z.infer<typeof importQuery> & { source: ByteSource },
) {
  const { caller } = deps;
  if (!query.datasetId && !query.name)
    throw new DomainError("VALIDATION", "Give a dataset name (new dataset) or datasetId (new version)", [
      { path: "name", message: "Required for a new dataset" },
    ]);
  const countTokens = query.tokenizer ? await modelTokenCounter(deps, caller.projectId, query.tokenizer) : undefined;
  const upload = importJsonl(source, { format: query.format, countTokens, maxTokensPerExample: query.maxTokens });
  try {
    return await deps.db.$transaction(async (tx) => {
      const dataset = query.datasetId
        ? await tx.dataset.findFirst({ where: { id: query.datasetId, projectId: caller.projectId } })
        : await tx.dataset.create({ data: { projectId: caller.projectId, name: query.name!, format: "chat" } });
      if (!dataset) throw notFound("Dataset", query.datasetId);
      async function* accepted(): AsyncGenerator<ExampleRow> {
        for await (const batch of upload)
          for (const line of batch) if (line.example) yield { example: line.example, tokens: line.tokens };
      }
      const version = await writeVersion(
        tx,
        caller,
        {
          datasetId: dataset.id,
          parentId: null,
          operation: "import",
          params: {
            format: query.format,
            mode: query.mode,
            tokenizer: query.tokenizer ?? "rough",
            maxTokens: query.maxTokens,
          },
          report: {},
        },
        accepted(),
      );
      const result = upload.result();
      assertImportable(result.issues, { mode: query.mode });
      const report: VersionOut["report"] = {
        issues: result.issues,
        decision: decideImport(result.issues, { mode: query.mode }).reason,
        bytes: result.bytes,
        format: result.format,
      };
      await tx.dataset.update({ where: { id: dataset.id }, data: { format: result.format, updatedAt: new Date() } });
      const saved = await tx.datasetVersion.update({ where: { id: version.id }, data: { report: report as object } });
      return { datasetId: dataset.id, version: toVersionOut(saved, null) };
    }, LONG_TX);
  } catch (error) {
    throw mapPrismaError(error, `A dataset named '${query.name}' already exists`);
  }
}

/** Builds a new version from a parent by one transform; the lineage names the parent. */
export async function transformDataset(deps: ServiceDeps, raw: TransformInput) {
  const { caller } = deps;
  // The procedure's input is one flat object (REST needs one); this narrows it per operation.
  const input = transformInput.parse(raw);
  const parent = await findVersion(deps.db, caller.projectId, input.versionId);
  return deps.db.$transaction(async (tx) => {
    const report: VersionOut["report"] = {};
    const source = readExamples(tx, parent.id);
    let rows: AsyncGenerator<ExampleRow>;
    switch (input.operation) {
      case "mask": {
        const masker = new PiiMasker(input.options ?? {});
        rows = (async function* () {
          for await (const r of source) yield { example: masker.mask(r.example), tokens: r.tokens, split: r.split };
          report.masking = masker.report();
        })();
        break;
      }
      case "dedupe": {
        const dedupe = new Deduplicator();
        let dropped = 0;
        rows = (async function* () {
          for await (const r of source) {
            if (dedupe.isFirst({ ...r.example, hash: r.hash })) yield r;
            else dropped++;
          }
          report.duplicatesRemoved = dropped;
        })();
        break;
      }
      case "filter": {
        const filter = new ExampleFilter({
          minTokens: input.minTokens,
          maxTokens: input.maxTokens,
          requireRoles: input.requireRole ? [input.requireRole] : undefined,
          include: input.include ? [{ pattern: input.include, flags: "i" }] : undefined,
          exclude: input.exclude ? [{ pattern: input.exclude, flags: "i" }] : undefined,
        });
        rows = (async function* () {
          for await (const r of source) if (filter.test(r.example) === null) yield r;
          report.kept = filter.kept;
          report.dropped = filter.dropped;
        })();
        break;
      }
      case "split": {
        const counts = { train: 0, validation: 0 };
        rows = (async function* () {
          for await (const r of source) {
            const split = splitPoint(r.hash, input.salt) < input.ratio ? "train" : "validation";
            counts[split]++;
            yield { ...r, split };
          }
          report.split = counts;
        })();
        break;
      }
      case "merge": {
        const others = await Promise.all(input.otherVersionIds.map((id) => findVersion(tx, caller.projectId, id)));
        const dedupe = input.dedupe ? new Deduplicator() : null;
        rows = (async function* () {
          for (const from of [source, ...others.map((o) => readExamples(tx, o.id))])
            for await (const r of from) if (!dedupe || dedupe.isFirst({ ...r.example, hash: r.hash })) yield r;
        })();
        report.merged = [parent.id, ...input.otherVersionIds];
        break;
      }
    }
    const { versionId: _, operation, ...params } = input;
    const version = await writeVersion(
      tx,
      caller,
      { datasetId: parent.datasetId, parentId: parent.id, operation, params, report },
      rows,
    );
    const saved = await tx.datasetVersion.update({ where: { id: version.id }, data: { report: report as object } });
    await tx.dataset.update({ where: { id: parent.datasetId }, data: { updatedAt: new Date() } });
    return toVersionOut(saved, parent.version);
  }, LONG_TX);
}

export async function listExamples(
  deps: ProjectDeps,
  input: { versionId: string; page: number; pageSize: number; search?: string; split?: string },
) {
  await findVersion(deps.db, deps.caller.projectId, input.versionId);
  const where = {
    versionId: input.versionId,
    ...(input.split ? { split: input.split } : {}),
    ...(input.search ? { search: { contains: input.search.toLowerCase() } } : {}),
  };
  return paged(
    input,
    (window) =>
      deps.db.datasetExample.findMany({
        where,
        orderBy: { position: "asc" },
        ...window,
      }),
    () => deps.db.datasetExample.count({ where }),
    (r) => ({
      position: r.position,
      example: r.example as DatasetExampleOut,
      tokens: r.tokens,
      split: r.split,
      hash: r.hash,
    }),
  );
}

/** The version (or one split) as OpenAI chat JSONL, streamed. */
export async function exportVersion(deps: ProjectDeps, { versionId, split }: { versionId: string; split?: string }) {
  const version = await findVersion(deps.db, deps.caller.projectId, versionId);
  const examples = (async function* () {
    for await (const r of readExamples(deps.db as unknown as DbTx, version.id, split ? { split } : {})) yield r.example;
  })();
  return { version, stream: exportJsonlStream(examples) };
}
