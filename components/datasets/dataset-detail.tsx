"use client";

import { useQuery } from "@tanstack/react-query";
import { GraduationCap, Upload } from "lucide-react";
import { useParams } from "next/navigation";
import { type ReactNode, useState } from "react";
import { ExampleBrowser } from "@/components/datasets/example-browser";
import { ExportLinks, hasSplit } from "@/components/datasets/export-links";
import { ImportDialog } from "@/components/datasets/import-dialog";
import { KAnonymityPanel } from "@/components/datasets/k-anonymity-panel";
import { NewJobDialog } from "@/components/datasets/new-job-dialog";
import { ReportView } from "@/components/datasets/report-view";
import { TrainingEstimate } from "@/components/datasets/training-estimate";
import { DedupeDialog, FilterDialog, MaskDialog, MergeDialog, SplitDialog } from "@/components/datasets/transforms";
import { VersionCompare } from "@/components/datasets/version-compare";
import { useDatasetWrite, WriteGuard } from "@/components/datasets/write-guard";
import { formatRelative } from "@/components/format";
import { SubjectJobs } from "@/components/jobs/subject-jobs";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import {
  Badge,
  Button,
  Card,
  CardContent,
  DataTable,
  type DataTableColumn,
  ErrorState,
  LoadingState,
  PageHeader,
  Stat,
} from "@/components/ui";

type Dataset = RouterOutputs["datasets"]["get"];
type Version = Dataset["versions"][number];
type Open = "import" | "mask" | "dedupe" | "split" | "filter" | "merge" | "fine-tune" | null;

export function DatasetDetail({ datasetId }: { datasetId: string }) {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const write = useDatasetWrite();
  const dataset = useQuery(trpc.datasets.get.queryOptions({ id: datasetId }));
  const [selected, setSelected] = useState<string | null>(null);
  const [open, setOpen] = useState<Open>(null);
  if (dataset.isLoading) return <LoadingState label="Loading dataset…" />;
  if (dataset.error || !dataset.data) return <ErrorState message={dataset.error?.message ?? "Not found"} />;
  const d = dataset.data;
  const version = d.versions.find((v) => v.id === selected) ?? d.versions[0];
  const stats: Partial<Version["stats"]> = version?.stats ?? {};
  /** A write action: disabled for viewers, with the reason as its tooltip. */
  const action = (label: string, which: Open, icon?: ReactNode) => (
    <WriteGuard key={label} reason={write.reason}>
      <Button size="sm" variant="secondary" onClick={() => setOpen(which)} disabled={!write.allowed}>
        {icon}
        {label}
      </Button>
    </WriteGuard>
  );
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
  const dialog = version && {
    open: true,
    onOpenChange: (o: boolean) => !o && setOpen(null),
    datasetId: d.id,
    version,
    onCreated: (v: { id: string }) => setSelected(v.id),
  };
  return (
    <>
      <PageHeader
        title={d.name}
        description={`${d.format} dataset · ${d.versions.length} version(s)`}
        breadcrumbs={[{ label: "Datasets", href: `/projects/${projectId}/datasets` }, { label: d.name }]}
        actions={action("Import new version", "import", <Upload className="size-4" aria-hidden />)}
      />
      <DataTable caption="Versions" columns={columns} rows={d.versions} rowKey={(v) => v.id} />
      {version && (
        <Card>
          <CardContent className="flex flex-col gap-4 pt-4">
            <div className="flex flex-wrap items-center gap-2">
              <h2 className="mr-auto font-medium text-sm">
                v{version.version} — {version.operation}
              </h2>
              <fieldset aria-label="Transform" className="m-0 flex min-w-0 flex-wrap gap-1 border-0 p-0">
                {action("Mask PII…", "mask")}
                {action("Deduplicate…", "dedupe")}
                {action("Split…", "split")}
                {action("Filter…", "filter")}
                {action("Merge…", "merge")}
                {action("Fine-tune…", "fine-tune", <GraduationCap className="size-4" aria-hidden />)}
              </fieldset>
              <ExportLinks versionId={version.id} split={hasSplit(version.id, d.versions)} />
            </div>
            <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
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
            <SubjectJobs subjectType="dataset_version" subjectId={version.id} />
            <section id="version-report" aria-label="Report" className="flex scroll-mt-4 flex-col gap-2">
              <h3 className="font-medium text-sm">Report</h3>
              <ReportView report={version.report} versions={d.versions} />
            </section>
            <details className="rounded-md border border-border p-3">
              <summary className="cursor-pointer font-medium text-sm">k-anonymity of metadata</summary>
              <div className="mt-3">
                <KAnonymityPanel versionId={version.id} />
              </div>
            </details>
            <VersionCompare versionId={version.id} versions={d.versions} />
            <ExampleBrowser versionId={version.id} />
          </CardContent>
        </Card>
      )}
      {open === "import" && <ImportDialog open onOpenChange={(o) => !o && setOpen(null)} datasetId={d.id} />}
      {dialog && open === "mask" && <MaskDialog {...dialog} />}
      {dialog && open === "dedupe" && <DedupeDialog {...dialog} />}
      {dialog && open === "split" && <SplitDialog {...dialog} />}
      {dialog && open === "filter" && <FilterDialog {...dialog} />}
      {dialog && open === "merge" && <MergeDialog {...dialog} versions={d.versions} />}
      {version && open === "fine-tune" && (
        <NewJobDialog open onOpenChange={(o) => !o && setOpen(null)} datasetVersionId={version.id} />
      )}
    </>
  );
}
