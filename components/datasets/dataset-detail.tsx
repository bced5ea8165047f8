"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Download, Upload } from "lucide-react";
import { useParams } from "next/navigation";
import { useState } from "react";
import { ExampleBrowser } from "@/components/datasets/example-browser";
import { ImportDialog } from "@/components/datasets/import-dialog";
import { TrainingEstimate } from "@/components/datasets/training-estimate";
import { VersionCompare } from "@/components/datasets/version-compare";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import {
  Badge,
  Button,
  buttonStyles,
  Card,
  CardContent,
  DataTable,
  type DataTableColumn,
  ErrorState,
  Input,
  LoadingState,
  PageHeader,
  Stat,
  toast,
} from "@/components/ui";

type Dataset = RouterOutputs["datasets"]["get"];
type Version = Dataset["versions"][number];

export function DatasetDetail({ datasetId }: { datasetId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const { can } = useProjectAccess();
  const dataset = useQuery(trpc.datasets.get.queryOptions({ id: datasetId }));
  const [selected, setSelected] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [ratio, setRatio] = useState("0.9");
  const transform = useMutation(
    trpc.datasets.transform.mutationOptions({
      onSuccess: (v) => {
        toast.success(`Created v${v.version} (${v.operation})`);
        setSelected(v.id);
        void queryClient.invalidateQueries({ queryKey: trpc.datasets.get.queryKey({ id: datasetId }) });
      },
      onError: (e) => toast.error(e.message),
    }),
  );
  if (dataset.isLoading) return <LoadingState label="Loading dataset…" />;
  if (dataset.error || !dataset.data) return <ErrorState message={dataset.error?.message ?? "Not found"} />;
  const d = dataset.data;
  const version = d.versions.find((v) => v.id === selected) ?? d.versions[0];
  const stats: Partial<Version["stats"]> = version?.stats ?? {};
  const mayWrite = can("datasets:write");
  const columns: DataTableColumn<Version>[] = [
    {
      key: "v",
      header: "Version",
      cell: (v) => (
        <button
          type="button"
          className="font-medium hover:underline"
          onClick={() => setSelected(v.id)}
          aria-pressed={v.id === version?.id}
        >
          v{v.version}
        </button>
      ),
    },
    {
      key: "op",
      header: "Made by",
      cell: (v) => <Badge tone={v.operation === "import" ? "info" : "accent"}>{v.operation}</Badge>,
    },
    { key: "parent", header: "From", cell: (v) => (v.parentVersion ? `v${v.parentVersion}` : "—") },
    { key: "n", header: "Examples", cell: (v) => v.exampleCount.toLocaleString("en-US") },
    {
      key: "hash",
      header: "Content hash",
      cell: (v) => (
        <code className="font-mono text-xs" title={v.contentHash}>
          {v.contentHash.slice(0, 12)}
        </code>
      ),
    },
    { key: "when", header: "Created", cell: (v) => `${formatRelative(v.createdAt)} by ${v.createdByLabel}` },
  ];
  return (
    <>
      <PageHeader
        title={d.name}
        description={`${d.format} dataset · ${d.versions.length} version(s)`}
        breadcrumbs={[{ label: "Datasets", href: `/projects/${projectId}/datasets` }, { label: d.name }]}
        actions={
          mayWrite && (
            <Button variant="secondary" onClick={() => setImporting(true)}>
              <Upload className="size-4" aria-hidden /> Import new version
            </Button>
          )
        }
      />
      <DataTable caption="Versions" columns={columns} rows={d.versions} rowKey={(v) => v.id} />
      {version && (
        <Card>
          <CardContent className="flex flex-col gap-4 pt-4">
            <div className="flex flex-wrap items-center gap-2">
              <h2 className="mr-auto font-medium text-sm">
                v{version.version} — {version.operation}
              </h2>
              {mayWrite && (
                <>
                  <Button
                    size="sm"
                    variant="secondary"
                    loading={transform.isPending}
                    onClick={() => transform.mutate({ versionId: version.id, operation: "mask" })}
                  >
                    Mask PII
                  </Button>
                  <Button
                    size="sm"
                    variant="secondary"
                    onClick={() => transform.mutate({ versionId: version.id, operation: "dedupe" })}
                  >
                    Deduplicate
                  </Button>
                  <Input
                    aria-label="Train ratio"
                    value={ratio}
                    onChange={(e) => setRatio(e.target.value)}
                    className="h-8 w-20"
                  />
                  <Button
                    size="sm"
                    variant="secondary"
                    onClick={() =>
                      transform.mutate({ versionId: version.id, operation: "split", ratio: Number(ratio) })
                    }
                  >
                    Split
                  </Button>
                </>
              )}
              <a
                className={buttonStyles({ variant: "secondary", size: "sm" })}
                href={`/api/rest/datasets/versions/${version.id}/export`}
                download
              >
                <Download className="size-4" aria-hidden /> Export JSONL
              </a>
            </div>
            <div className="grid grid-cols-4 gap-3">
              <Stat
                label="Examples"
                value={version.exampleCount.toLocaleString("en-US")}
                hint={`${stats.duplicates ?? 0} duplicates`}
              />
              <Stat
                label="Tokens per example"
                value={`p50 ${stats.tokensPerExample?.p50 ?? "—"}`}
                hint={`p95 ${stats.tokensPerExample?.p95 ?? "—"} · max ${stats.tokensPerExample?.max ?? "—"}`}
              />
              <Stat
                label="Messages by role"
                value={
                  Object.entries(stats.roles ?? {})
                    .map(([r, n]) => `${r[0]}:${n}`)
                    .join(" ") || "—"
                }
              />
              <TrainingEstimate versionId={version.id} />
            </div>
            {Object.keys(version.report).length > 0 && (
              <details className="text-sm">
                <summary className="cursor-pointer text-muted-foreground">Report</summary>
                <pre className="mt-2 max-h-64 overflow-auto rounded-md bg-muted p-2 font-mono text-xs">
                  {JSON.stringify(version.report, null, 2)}
                </pre>
              </details>
            )}
            <VersionCompare versionId={version.id} versions={d.versions} />
            <ExampleBrowser versionId={version.id} />
          </CardContent>
        </Card>
      )}
      <ImportDialog open={importing} onOpenChange={setImporting} datasetId={d.id} />
    </>
  );
}
