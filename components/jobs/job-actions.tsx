"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Ban, RotateCcw } from "lucide-react";
import { useTRPC } from "@/components/providers/trpc";
import { WithReason } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { Button, toast } from "@/components/ui";
import { FINAL_JOB_STATES, type JobStateName } from "@/lib/jobs";

/**
 * Cancel and Retry for one job: each enabled only when the job's state allows it and the caller holds
 * jobs:write (a viewer sees why on hover). Every list of jobs and batches refreshes after either.
 */
export function JobActions({ id, state, label = "job" }: { id: string; state: JobStateName; label?: string }) {
  const { cancel, retry, allowed, why } = useJobMutations(label);
  const cancellable = !FINAL_JOB_STATES.includes(state) && state !== "cancelling";
  const retriable = state === "failed" || state === "cancelled";
  return (
    <div className="flex flex-wrap gap-2">
      <WithReason why={why}>
        <Button
          size="sm"
          variant="secondary"
          disabled={!allowed || !cancellable}
          title={allowed && !cancellable ? `A ${state} ${label} cannot be cancelled` : undefined}
          loading={cancel.isPending}
          onClick={() => cancel.mutate({ id })}
        >
          <Ban aria-hidden /> Cancel
        </Button>
      </WithReason>
      <WithReason why={why}>
        <Button
          size="sm"
          variant="secondary"
          disabled={!allowed || !retriable}
          title={allowed && !retriable ? "Only a failed or cancelled job can be retried" : undefined}
          loading={retry.isPending}
          onClick={() => retry.mutate({ id })}
        >
          <RotateCcw aria-hidden /> Retry
        </Button>
      </WithReason>
    </div>
  );
}

/** A batch's Cancel: it cancels the batch's job, which stops the batch and keeps the results already made. */
export function CancelBatchButton({ jobId, open }: { jobId: string | null; open: boolean }) {
  const { cancel, allowed, why } = useJobMutations("batch");
  const disabledWhy = !jobId ? "This batch has no job to cancel" : !open ? "The batch has finished" : undefined;
  return (
    <WithReason why={why}>
      <Button
        size="sm"
        variant="ghost"
        disabled={!allowed || !!disabledWhy}
        title={allowed ? disabledWhy : undefined}
        loading={cancel.isPending}
        onClick={() => jobId && cancel.mutate({ id: jobId })}
      >
        <Ban aria-hidden /> Cancel
      </Button>
    </WithReason>
  );
}

/** The cancel and retry mutations, whether the caller may use them, and why not; every job and batch list refreshes after. */
function useJobMutations(label: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, role, isLoading } = useProjectAccess();
  const allowed = can("jobs:write");
  const why = allowed || isLoading ? undefined : deniedReason(role, "jobs:write");
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.jobs.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.batches.pathKey() });
  };
  const cancel = useMutation(
    trpc.jobs.cancel.mutationOptions({
      onSuccess: (job) => {
        toast.success(job.state === "cancelling" ? `Stopping the ${label}…` : `The ${label} is cancelled`);
        refresh();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const retry = useMutation(
    trpc.jobs.retry.mutationOptions({
      onSuccess: () => {
        toast.success(`The ${label} is queued again`);
        refresh();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  return { cancel, retry, allowed, why };
}
