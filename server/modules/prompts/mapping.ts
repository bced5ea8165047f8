import type { z } from "zod";
import type { PromptConfig, PromptTemplate, promptSummary, promptVersionOut } from "@/server/modules/prompts/schemas";

type Label = { name: string; protected: boolean; version: { version: number } };

export const promptInclude = {
  labels: { include: { version: { select: { version: true } } }, orderBy: { name: "asc" as const } },
  versions: { select: { version: true }, orderBy: { version: "desc" as const }, take: 1 },
};

export function toPromptSummary(row: {
  id: string;
  name: string;
  type: "text" | "chat";
  description: string;
  tags: string[];
  updatedAt: Date;
  labels: Label[];
  versions: { version: number }[];
}): z.infer<typeof promptSummary> {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    description: row.description,
    tags: row.tags,
    latestVersion: row.versions[0]?.version ?? null,
    labels: row.labels.map((l) => ({ name: l.name, version: l.version.version, protected: l.protected })),
    updatedAt: row.updatedAt,
  };
}

export function toVersionOut(row: {
  id: string;
  version: number;
  template: unknown;
  config: unknown;
  variables: string[];
  commitMessage: string;
  createdByLabel: string;
  createdAt: Date;
  labels: { name: string }[];
}): z.infer<typeof promptVersionOut> {
  return {
    id: row.id,
    version: row.version,
    template: row.template as PromptTemplate,
    config: (row.config ?? {}) as PromptConfig,
    variables: row.variables,
    commitMessage: row.commitMessage,
    authorLabel: row.createdByLabel,
    createdAt: row.createdAt,
    labels: row.labels.map((l) => l.name),
  };
}
