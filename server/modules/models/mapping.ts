import type { z } from "zod";
import type { ProviderName } from "@/lib/models";
import type { ProviderKind } from "@/server/generated/prisma/enums";
import type { GenerationParams, modelSummary, versionSummary } from "@/server/modules/models/schemas";

const TO_API: Record<ProviderKind, ProviderName> = {
  onnx_local: "onnx-local",
  openai_compatible: "openai-compatible",
  anthropic: "anthropic",
};
export const providerToApi = (p: ProviderKind): ProviderName => TO_API[p];
export const providerFromApi = (p: ProviderName): ProviderKind =>
  (Object.entries(TO_API).find(([, v]) => v === p)?.[0] ?? "onnx_local") as ProviderKind;

const num = (d: { toNumber(): number } | null) => (d === null ? null : d.toNumber());

export const modelInclude = {
  aliases: { include: { version: { select: { version: true } } }, orderBy: { name: "asc" as const } },
  versions: { select: { version: true }, orderBy: { version: "desc" as const }, take: 1 },
};

type ModelRow = {
  id: string;
  name: string;
  provider: ProviderKind;
  task: "chat" | "completion" | "embedding" | "classification";
  contextLength: number | null;
  license: string | null;
  priceInputPerMTok: { toNumber(): number } | null;
  priceOutputPerMTok: { toNumber(): number } | null;
  priceCachedInputPerMTok: { toNumber(): number } | null;
  priceCacheWritePerMTok: { toNumber(): number } | null;
  pricePerComputeSecond: { toNumber(): number } | null;
  tags: string[];
  description: string;
  createdAt: Date;
  updatedAt: Date;
  aliases: { name: string; version: { version: number } }[];
  versions: { version: number }[];
};

export function toModelSummary(row: ModelRow): z.infer<typeof modelSummary> {
  return {
    id: row.id,
    name: row.name,
    provider: providerToApi(row.provider),
    task: row.task,
    contextLength: row.contextLength,
    license: row.license,
    priceInputPerMTok: num(row.priceInputPerMTok),
    priceOutputPerMTok: num(row.priceOutputPerMTok),
    priceCachedInputPerMTok: num(row.priceCachedInputPerMTok),
    priceCacheWritePerMTok: num(row.priceCacheWritePerMTok),
    pricePerComputeSecond: num(row.pricePerComputeSecond),
    tags: row.tags,
    description: row.description,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    latestVersion: row.versions[0]?.version ?? null,
    aliases: row.aliases.map((a) => ({ name: a.name, version: a.version.version })),
  };
}

type VersionRow = {
  id: string;
  version: number;
  artifactId: string | null;
  artifact: { sha256: string } | null;
  endpointBaseUrl: string | null;
  upstreamModelId: string | null;
  apiKeyCiphertext: string | null;
  defaultParams: unknown;
  onnxVariant: string | null;
  baseVersionId: string | null;
  datasetVersionId: string | null;
  fineTuneJobId: string | null;
  source: string | null;
  notes: string;
  createdByLabel: string;
  createdAt: Date;
  aliases: { name: string }[];
};

/** The public view of a version: the encrypted API key is reduced to whether one is set. */
export function toVersionSummary(row: VersionRow): z.infer<typeof versionSummary> {
  return {
    id: row.id,
    version: row.version,
    artifactId: row.artifactId,
    artifactSha256: row.artifact?.sha256 ?? null,
    endpointBaseUrl: row.endpointBaseUrl,
    upstreamModelId: row.upstreamModelId,
    hasApiKey: row.apiKeyCiphertext !== null,
    defaultParams: (row.defaultParams ?? {}) as GenerationParams,
    onnxVariant: row.onnxVariant,
    baseVersionId: row.baseVersionId,
    datasetVersionId: row.datasetVersionId,
    fineTuneJobId: row.fineTuneJobId,
    source: row.source,
    notes: row.notes,
    createdByLabel: row.createdByLabel,
    createdAt: row.createdAt,
    aliases: row.aliases.map((a) => a.name),
  };
}

export const versionInclude = { artifact: { select: { sha256: true } }, aliases: { select: { name: true } } };
