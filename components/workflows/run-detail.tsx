"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { useState } from "react";
import { formatDateTime } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { WithReason } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import {
  Button,
  Card,
  CardContent,
  CardHeader,
  CardTitle,
  ErrorState,
  LoadingState,
  PageHeader,
  toast,
} from "@/components/ui";
import { FINAL_RUN_STATUSES } from "@/lib/workflows/api";
import { RunGraph } from "./run-graph";
import { StatusBadge } from "./status";

type Step = RouterOutputs["workflows"]["getRun"]["steps"][number];

/** A run: its graph (refreshing while it runs), and the selected step's state, attempts, outputs and logs. */
export function RunDetail({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const { can, role, isLoading } = useProjectAccess();
  const run = useQuery({
    ...trpc.workflows.getRun.queryOptions({ id: runId }),
    refetchInterval: (q) => (q.state.data && FINAL_RUN_STATUSES.includes(q.state.data.status) ? false : 1500),
  });
  const [selected, setSelected] = useState<string | null>(null);
  const cancel = useMutation(
    trpc.workflows.cancelRun.mutationOptions({
      onSuccess: async () => {
        toast.success("Cancelling the run");
        await queryClient.invalidateQueries({ queryKey: trpc.workflows.getRun.queryKey({ id: runId }) });
      },
      onError: (e) => toast.error(e.message),
    }),
  );
  if (run.isLoading) return <LoadingState />;
  if (!run.data)
    return (
      <ErrorState message={run.error?.message ?? "The run could not be loaded"} onRetry={() => void run.refetch()} />
    );
  const r = run.data;
  const step = r.steps.find((s) => s.stepId === selected) ?? r.steps.find((s) => s.status === "failed") ?? r.steps[0];
  const why = can("workflows:write") || isLoading ? undefined : deniedReason(role, "workflows:write");
  const going = !FINAL_RUN_STATUSES.includes(r.status);
  return (
    <>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            Run of {r.workflowName} v{r.version} <StatusBadge status={r.status} />
          </span>
        }
        description={`Started by ${r.createdByLabel} (${String(r.trigger.type ?? "manual")}) · ${formatDateTime(r.createdAt)}${r.error ? ` · ${r.error}` : ""}`}
        breadcrumbs={[
          { label: "Workflows", href: `/projects/${projectId}/workflows` },
          { label: r.workflowName, href: `/projects/${projectId}/workflows/${r.workflowId}` },
          { label: "Run" },
        ]}
        actions={
          going ? (
            <WithReason why={why}>
              <Button
                variant="danger"
                disabled={Boolean(why)}
                loading={cancel.isPending}
                onClick={() => cancel.mutate({ id: runId })}
              >
                Cancel run
              </Button>
            </WithReason>
          ) : null
        }
      />
      <div className="flex flex-col gap-4">
        <RunGraph steps={r.steps} selected={step?.stepId ?? null} onSelect={setSelected} />
        {step && <StepPanel step={step} />}
        {Object.keys(r.inputs).length > 0 && (
          <Card>
            <CardHeader>
              <CardTitle>Inputs and trigger</CardTitle>
            </CardHeader>
            <CardContent>
              <pre className="overflow-x-auto font-mono text-xs">
                {JSON.stringify({ inputs: r.inputs, trigger: r.trigger }, null, 2)}
              </pre>
            </CardContent>
          </Card>
        )}
      </div>
    </>
  );
}

function StepPanel({ step }: { step: Step }) {
  return (
    <Card aria-label={`Step ${step.stepId}`}>
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-2">
          <span className="font-mono">{step.stepId}</span> <StatusBadge status={step.status} />
          <span className="font-normal text-muted-foreground text-sm">
            {step.uses} · attempt {step.attempts} of {step.maxAttempts}
            {step.needs.length ? ` · needs ${step.needs.join(", ")}` : ""}
          </span>
        </CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-sm">
        {step.error && <p className="text-danger">{step.error}</p>}
        {step.jobId && (
          <p>
            Child job: <span className="font-mono">{step.jobId}</span> (see Jobs)
          </p>
        )}
        <div>
          <h3 className="mb-1 font-medium">Outputs</h3>
          <pre className="max-h-64 overflow-auto rounded-md bg-muted p-2 font-mono text-xs">
            {step.outputs ? JSON.stringify(step.outputs, null, 2) : "—"}
          </pre>
        </div>
        <div>
          <h3 className="mb-1 font-medium">Log</h3>
          {step.logs.length ? (
            <ul className="max-h-64 overflow-auto rounded-md bg-muted p-2 font-mono text-xs">
              {step.logs.map((l) => (
                <li
                  key={`${l.at}:${l.message}`}
                  className={l.level === "error" ? "text-danger" : l.level === "warn" ? "text-warning" : undefined}
                >
                  {new Date(l.at).toLocaleTimeString()} {l.message}
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-muted-foreground">No log lines.</p>
          )}
        </div>
      </CardContent>
    </Card>
  );
}
