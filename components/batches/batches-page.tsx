"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Layers } from "lucide-react";
import Link from "next/link";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import {
  BatchStatusBadge,
  batchEndedAt,
  batchRequestsHref,
  FileLink,
  RequestCounts,
} from "@/components/batches/batch-parts";
import { formatDateTimeSeconds } from "@/components/format";
import { BackgroundTabs } from "@/components/jobs/background-tabs";
import { CancelBatchButton } from "@/components/jobs/job-actions";
import { useTRPC } from "@/components/providers/trpc";
import { Badge, Button, DataTable, type DataTableColumn, EmptyState, PageHeader, Select } from "@/components/ui";
import { BATCH_STATUSES, type BatchOut, type BatchStatus, FINAL_BATCH_STATUSES } from "@/lib/batches";

const REFRESH_MS = 3_000;
const isOpen = (b: BatchOut) => !FINAL_BATCH_STATUSES.includes(b.status);

/**
 * The project's batches (`/v1/batches`), newest first: status, counts, files to download, and links to the job
 * that runs each and to its requests in the explorer. `?status=` filters; `?batch=` shows one batch.
 */
export function BatchesPage() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const statusParam = params.get("status");
  const status = BATCH_STATUSES.includes(statusParam as BatchStatus) ? (statusParam as BatchStatus) : undefined;
  const only = params.get("batch");
  const refetchInterval = (rows: BatchOut[] | undefined) => (rows?.some(isOpen) ? REFRESH_MS : false);

  const pages = useInfiniteQuery({
    ...trpc.batches.list.infiniteQueryOptions(
      { status, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
    enabled: !only,
    refetchInterval: (q) => refetchInterval(q.state.data?.pages.flatMap((p) => p.items)),
  });
  const one = useQuery({
    ...trpc.batches.get.queryOptions({ id: only ?? "" }),
    enabled: !!only,
    refetchInterval: (q) => refetchInterval(q.state.data ? [q.state.data] : undefined),
  });
  const rows = only ? (one.data ? [one.data] : undefined) : pages.data?.pages.flatMap((p) => p.items);
  const active = only ? one : pages;

  const columns: DataTableColumn<BatchOut>[] = [
    {
      key: "id",
      header: "Batch",
      cell: (b) => (
        <div className="flex flex-col gap-0.5">
          <code className="font-mono text-xs whitespace-nowrap">{b.id}</code>
          <span className="text-muted-foreground text-xs whitespace-nowrap">{b.endpoint}</span>
          <span className="flex gap-3 text-xs">
            {b.jobId && (
              <Link href={`/projects/${projectId}/jobs?job=${b.jobId}`} className="text-primary hover:underline">
                Job
              </Link>
            )}
            <Link href={batchRequestsHref(projectId, b)} className="text-primary hover:underline">
              Requests
            </Link>
          </span>
        </div>
      ),
    },
    { key: "status", header: "Status", cell: (b) => <BatchStatusBadge status={b.status} /> },
    {
      key: "mode",
      header: "Mode",
      cell: (b) => (
        <Badge
          tone={b.mode === "upstream" ? "accent" : "neutral"}
          title={
            b.mode === "upstream"
              ? `Forwarded to the upstream's own Batch API${b.upstreamBatchId ? ` (${b.upstreamBatchId})` : ""}`
              : "Every line through the gateway's pipeline"
          }
        >
          {b.mode}
        </Badge>
      ),
    },
    { key: "requests", header: "Requests", cell: (b) => <RequestCounts counts={b.requestCounts} /> },
    {
      key: "times",
      header: "Created / ended",
      cell: (b) => (
        <div className="flex flex-col text-xs whitespace-nowrap">
          <span>{formatDateTimeSeconds(b.createdAt)}</span>
          <span className="text-muted-foreground">{formatDateTimeSeconds(batchEndedAt(b))}</span>
        </div>
      ),
    },
    {
      key: "metadata",
      header: "Metadata",
      cell: (b) =>
        b.metadata && Object.keys(b.metadata).length > 0 ? (
          <ul className="text-xs">
            {Object.entries(b.metadata).map(([k, v]) => (
              <li key={k} className="whitespace-nowrap">
                <span className="text-muted-foreground">{k}</span> {typeof v === "string" ? v : JSON.stringify(v)}
              </li>
            ))}
          </ul>
        ) : (
          "—"
        ),
    },
    {
      key: "files",
      header: "Files",
      cell: (b) => (
        <div className="flex flex-col gap-0.5">
          <FileLink label="Input" id={b.inputFileId} file={b.inputFile} />
          <FileLink label="Output" id={b.outputFileId} file={b.outputFile} />
          <FileLink label="Errors" id={b.errorFileId} file={b.errorFile} />
        </div>
      ),
    },
    {
      key: "links",
      header: <span className="sr-only">Actions</span>,
      cell: (b) => <CancelBatchButton jobId={b.jobId} open={isOpen(b) && b.status !== "cancelling"} />,
    },
  ];

  const go = (next: URLSearchParams) => {
    const qs = next.toString();
    router.push(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
  return (
    <>
      <PageHeader
        title="Batches"
        description="Requests sent through /v1/batches (OpenAI's Batch API): each line runs through the gateway like a live request, or the whole batch is forwarded to an upstream's own Batch API."
      />
      <BackgroundTabs value="batches" />
      <DataTable
        caption="Batches"
        // No rows: one column, so the empty state is as wide as the box (not the wide table) on a phone.
        columns={rows?.length === 0 ? [emptyColumn] : columns}
        rows={rows}
        rowKey={(b) => b.id}
        loading={active.isLoading}
        error={active.error}
        onRetry={() => void active.refetch()}
        toolbar={
          only ? (
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <span>
                Batch <code className="font-mono text-xs">{only}</code>
              </span>
              <Button variant="ghost" size="sm" onClick={() => go(new URLSearchParams())}>
                Show all batches
              </Button>
            </div>
          ) : (
            <Select
              aria-label="Status"
              className="w-44"
              value={status ?? ""}
              onChange={(e) => {
                const next = new URLSearchParams(params.toString());
                if (e.target.value) next.set("status", e.target.value);
                else next.delete("status");
                go(next);
              }}
            >
              <option value="">Any status</option>
              {BATCH_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.replace("_", " ")}
                </option>
              ))}
            </Select>
          )
        }
        empty={
          status ? (
            <EmptyState icon={Layers} title="No batches match" description="Another status may have some." />
          ) : (
            <EmptyState
              icon={Layers}
              title="No batches yet"
              description="Upload a JSONL file to /v1/files with purpose batch, then create a batch with POST /v1/batches (the openai SDK's files.create and batches.create work unchanged). Each batch runs as a job."
            />
          )
        }
      />
      {!only && pages.hasNextPage && (
        <Button
          variant="secondary"
          className="self-center"
          loading={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          Load older batches
        </Button>
      )}
    </>
  );
}

const emptyColumn: DataTableColumn<unknown> = {
  key: "empty",
  header: <span className="sr-only">Batches</span>,
  cell: () => null,
};
