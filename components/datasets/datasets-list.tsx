"use client";

import { useQuery } from "@tanstack/react-query";
import { Database, Upload } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useState } from "react";
import { DatasetTabs } from "@/components/datasets/dataset-tabs";
import { ImportDialog } from "@/components/datasets/import-dialog";
import { useDatasetWrite, WriteGuard } from "@/components/datasets/write-guard";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { tableState } from "@/components/providers/use-list-query";
import { Badge, Button, DataTable, type DataTableColumn, EmptyState, PageHeader } from "@/components/ui";

type Dataset = RouterOutputs["datasets"]["list"][number];

export function DatasetsList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const write = useDatasetWrite();
  const [importing, setImporting] = useState(false);
  const importButton = (
    <WriteGuard reason={write.reason}>
      <Button onClick={() => setImporting(true)} disabled={!write.allowed}>
        <Upload className="size-4" aria-hidden /> Import JSONL
      </Button>
    </WriteGuard>
  );
  const datasets = useQuery(trpc.datasets.list.queryOptions({}));
  const columns: DataTableColumn<Dataset>[] = [
    {
      key: "name",
      header: "Dataset",
      cell: (d) => (
        <Link href={`/projects/${projectId}/datasets/${d.id}`} className="font-medium hover:underline">
          {d.name}
        </Link>
      ),
    },
    { key: "format", header: "Format", cell: (d) => <Badge>{d.format}</Badge> },
    { key: "latest", header: "Latest", cell: (d) => (d.latestVersion ? `v${d.latestVersion}` : "—") },
    { key: "examples", header: "Examples", cell: (d) => d.exampleCount?.toLocaleString("en-US") ?? "—" },
    { key: "updated", header: "Updated", cell: (d) => formatRelative(d.updatedAt) },
  ];
  return (
    <>
      <PageHeader
        title="Datasets"
        description="Fine-tuning data: JSONL import with validation, immutable versions, PII masking, splits and export."
        actions={importButton}
      />
      <DatasetTabs value="datasets" />
      <DataTable
        caption="Datasets"
        columns={columns}
        rowKey={(d) => d.id}
        {...tableState(datasets)}
        empty={
          <EmptyState
            icon={Database}
            title="No datasets yet"
            description="Import a JSONL file: every line is validated, and a version records its hash and statistics."
            action={importButton}
          />
        }
      />
      <ImportDialog open={importing} onOpenChange={setImporting} />
    </>
  );
}
