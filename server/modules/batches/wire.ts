import type { Prisma } from "@/server/generated/prisma/client";

type BatchRow = Prisma.BatchGetPayload<object>;
const seconds = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);

/** A batch as OpenAI's API returns it (what `client.batches.retrieve` parses), plus our `switchyard` details. */
export function toBatchObject(b: BatchRow) {
  return {
    id: b.id,
    object: "batch" as const,
    endpoint: b.endpoint,
    errors: b.errors ?? null,
    input_file_id: b.inputFileId,
    completion_window: b.completionWindow,
    status: b.status,
    output_file_id: b.outputFileId,
    error_file_id: b.errorFileId,
    created_at: seconds(b.createdAt),
    in_progress_at: seconds(b.inProgressAt),
    expires_at: seconds(b.expiresAt),
    finalizing_at: seconds(b.finalizingAt),
    completed_at: seconds(b.completedAt),
    failed_at: seconds(b.failedAt),
    expired_at: seconds(b.expiredAt),
    cancelling_at: seconds(b.cancellingAt),
    cancelled_at: seconds(b.cancelledAt),
    request_counts: { total: b.totalCount, completed: b.completedCount, failed: b.failedCount },
    metadata: b.metadata ?? null,
    switchyard: { mode: b.mode, job_id: b.jobId, upstream_batch_id: b.upstreamBatchId },
  };
}
export type BatchObject = ReturnType<typeof toBatchObject>;
