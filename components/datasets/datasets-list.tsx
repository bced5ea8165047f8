"use client";

import { useQuery } from "@tanstack/react-query";
import { Database, Upload } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { ImportDialog } from "@/components/datasets/import-dialog";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useCreateDialog } from "@/components/providers/use-create-dialog";
import { tableState } from "@/components/providers/use-list-query";
import { Badge, DataTable, type DataTableColumn, EmptyState, PageHeader } from "@/components/ui";

type Dataset = RouterOutputs["datasets"]["list"][number];

export function DatasetsList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const create = useCreateDialog("datasets:write", "Import JSONL", Upload);
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
        actions={create.button}
      />
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
            action={create.emptyAction}
          />
        }
      />
      <ImportDialog {...create.dialog} />
    </>
  );
}
