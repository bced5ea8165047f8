"use client";

import { Download } from "lucide-react";
import { Badge, type BadgeTone, ProgressBar } from "@/components/ui";
import { type BatchOut, fileDownloadPath, type StoredFileOut } from "@/lib/batches";

const STATUS_TONE: Record<string, BadgeTone> = {
  validating: "neutral",
  in_progress: "info",
  finalizing: "info",
  completed: "success",
  failed: "danger",
  expired: "warning",
  cancelling: "warning",
  cancelled: "neutral",
};

export function BatchStatusBadge({ status }: { status: string }) {
  return (
    <Badge tone={STATUS_TONE[status] ?? "neutral"} dot>
      {status.replace("_", " ")}
    </Badge>
  );
}

/** Lines finished of the total, failed ones counted in red below the bar. */
export function RequestCounts({ counts }: { counts: BatchOut["requestCounts"] }) {
  const nf = (n: number) => n.toLocaleString("en-US");
  const done = counts.completed + counts.failed;
  return (
    <div className="flex min-w-40 flex-col gap-1">
      <ProgressBar
        value={counts.total ? (done / counts.total) * 100 : 0}
        tone={counts.failed ? "warning" : "primary"}
      />
      <span className="text-muted-foreground text-xs whitespace-nowrap tabular-nums">
        {nf(done)} / {nf(counts.total)}
        {counts.failed > 0 && <span className="text-danger"> · {nf(counts.failed)} failed</span>}
      </span>
    </div>
  );
}

const KIB = 1024;
function formatBytes(bytes: number): string {
  if (bytes < KIB) return `${bytes} B`;
  if (bytes < KIB * KIB) return `${(bytes / KIB).toFixed(1)} KiB`;
  return `${(bytes / KIB / KIB).toFixed(1)} MiB`;
}

/** A download link for a stored file, or why there is none. */
export function FileLink({ label, id, file }: { label: string; id: string | null; file: StoredFileOut | null }) {
  if (!id) return null;
  if (!file?.available)
    return (
      <span className="text-muted-foreground text-xs whitespace-nowrap" title={id}>
        {label}: {file ? "deleted" : "missing"}
      </span>
    );
  return (
    <a
      href={fileDownloadPath(file.id)}
      download
      className="inline-flex items-center gap-1 text-xs whitespace-nowrap text-primary hover:underline"
      title={`${file.filename} · ${file.id}`}
    >
      <Download className="size-3.5" aria-hidden />
      {label}
      <span className="text-muted-foreground">
        (
        {file.lineCount !== null
          ? `${file.lineCount.toLocaleString("en-US")} line${file.lineCount === 1 ? "" : "s"}, `
          : ""}
        {formatBytes(file.bytes)})
      </span>
    </a>
  );
}

/** When the batch ended (completed, failed, cancelled or expired), or null while it runs. */
export const batchEndedAt = (b: BatchOut) => b.completedAt ?? b.failedAt ?? b.cancelledAt ?? null;

/**
 * The request explorer showing the batch's lines: filtered by the batch, over a window from its creation to a
 * minute after it ended (or its completion window, while it runs).
 */
export function batchRequestsHref(projectId: string, b: BatchOut): string {
  const end = batchEndedAt(b) ?? b.expiresAt ?? new Date(b.createdAt.getTime() + 86_400_000);
  const query = new URLSearchParams({
    batch: b.id,
    from: new Date(b.createdAt.getTime() - 60_000).toISOString(),
    to: new Date(end.getTime() + 60_000).toISOString(),
  });
  return `/projects/${projectId}/monitoring/requests?${query}`;
}
