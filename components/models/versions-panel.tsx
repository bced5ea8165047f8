"use client";

import { GitBranch } from "lucide-react";
import { formatDateTime, formatRelative } from "@/components/format";
import { ConnectionTest } from "@/components/models/connection-test";
import { NewVersionDialog } from "@/components/models/new-version-dialog";
import type { ModelDetailData } from "@/components/models/types";
import { useCreateDialog } from "@/components/providers/use-create-dialog";
import { Badge, DataTable, type DataTableColumn, EmptyState } from "@/components/ui";

type Version = ModelDetailData["versions"][number];

export function VersionsPanel({ model }: { model: ModelDetailData }) {
  const create = useCreateDialog("models:write", "New version");
  const versionOf = (id: string | null) => model.versions.find((v) => v.id === id)?.version;
  const columns: DataTableColumn<Version>[] = [
    {
      key: "version",
      header: "Version",
      className: "w-20",
      cell: (v) => <span className="font-medium">v{v.version}</span>,
    },
    {
      key: "target",
      header: "Runs",
      cell: (v) =>
        v.artifactSha256 ? (
          <span title={v.artifactSha256}>
            artifact <code className="font-mono text-xs">{v.artifactSha256.slice(0, 12)}</code>
          </span>
        ) : (
          <span>
            <code className="font-mono text-xs">{v.upstreamModelId}</code>
            <span className="text-muted-foreground"> at {v.endpointBaseUrl}</span>
            {v.hasApiKey && <Badge className="ml-2">key set</Badge>}
          </span>
        ),
    },
    ...(model.provider === "onnx-local"
      ? []
      : [
          {
            key: "connection",
            header: "Connection",
            className: "min-w-64",
            cell: (v: Version) => (
              <ConnectionTest
                target={{ modelId: model.id, versionId: v.id }}
                label={`Test connection of v${v.version}`}
              />
            ),
          },
        ]),
    {
      key: "aliases",
      header: "Aliases",
      cell: (v) => (
        <div className="flex gap-1">
          {v.aliases.map((a) => (
            <Badge key={a} tone={a === "production" ? "success" : "accent"}>
              {a}
            </Badge>
          ))}
        </div>
      ),
    },
    {
      key: "lineage",
      header: "Lineage",
      cell: (v) => {
        const parts = [
          v.baseVersionId && `from v${versionOf(v.baseVersionId) ?? "?"}`,
          v.datasetVersionId && `dataset ${v.datasetVersionId}`,
          v.fineTuneJobId && `job ${v.fineTuneJobId}`,
          v.source,
        ].filter(Boolean);
        return <span className="text-muted-foreground text-xs">{parts.join(" · ") || "—"}</span>;
      },
    },
    {
      key: "created",
      header: "Created",
      cell: (v) => (
        <span title={formatDateTime(v.createdAt)} className="text-muted-foreground">
          {formatRelative(v.createdAt)} by {v.createdByLabel}
        </span>
      ),
    },
  ];
  return (
    <section className="flex flex-col gap-3" aria-label="Versions">
      <div className="flex items-center justify-between">
        <p className="text-muted-foreground text-sm">Versions are immutable; a change is a new version.</p>
        {create.button}
      </div>
      <DataTable
        caption="Versions"
        columns={columns}
        rows={model.versions}
        rowKey={(v) => v.id}
        empty={
          <EmptyState
            icon={GitBranch}
            title="No versions yet"
            description={
              model.provider === "onnx-local"
                ? "Upload an ONNX model folder to create version 1."
                : "Point version 1 at an endpoint and an upstream model id."
            }
            action={create.emptyAction}
          />
        }
      />
      <NewVersionDialog model={model} {...create.dialog} />
    </section>
  );
}
