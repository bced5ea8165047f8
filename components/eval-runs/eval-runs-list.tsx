"use client";

import { useQuery } from "@tanstack/react-query";
import { ClipboardCheck } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { formatMoney, formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useCreateDialog } from "@/components/providers/use-create-dialog";
import {
  Badge,
  type BadgeTone,
  DataTable,
  type DataTableColumn,
  EmptyState,
  PageHeader,
  ProgressBar,
} from "@/components/ui";
import { FINAL_EVAL_RUN_STATUSES } from "@/lib/evals/runs";
import { NewEvalRunDialog } from "./new-eval-run-dialog";

type RunRow = RouterOutputs["evalRuns"]["list"]["items"][number];

const STATUS_TONE: Record<RunRow["status"], BadgeTone> = {
  queued: "neutral",
  running: "info",
  completed: "success",
  failed: "danger",
  cancelled: "warning",
};

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/** A target's overall score with its interval, or why there is none yet. */
function TargetScore({ target }: { target: RunRow["targets"][number] }) {
  const s = target.summary;
  return (
    <li className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5">
      <span className="min-w-0 truncate" title={target.label}>
        {target.label}
      </span>
      {s && s.overall.n > 0 ? (
        <span
          className="font-mono text-xs tabular-nums"
          title={`mean score ${s.overall.mean.toFixed(3)} (95 % CI ${s.overall.ci[0].toFixed(3)}–${s.overall.ci[1].toFixed(3)}), pass rate ${percent(s.overall.passRate)}, ${s.errors} errors`}
        >
          {s.overall.mean.toFixed(3)}{" "}
          <span className="text-muted-foreground">
            ±{((s.overall.ci[1] - s.overall.ci[0]) / 2).toFixed(3)} · pass {percent(s.overall.passRate)}
          </span>
        </span>
      ) : (
        <span className="text-muted-foreground text-xs">{s ? "no scores" : "—"}</span>
      )}
    </li>
  );
}

function GateBadge({ passed }: { passed: boolean | null }) {
  if (passed === null) return <span className="text-muted-foreground text-xs">no gate</span>;
  return passed ? <Badge tone="success">gate passed</Badge> : <Badge tone="danger">gate failed</Badge>;
}

export function EvalRunsList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const create = useCreateDialog("evals:write", "New eval run");
  const runs = useQuery({
    ...trpc.evalRuns.list.queryOptions({ limit: 50 }),
    // Running runs move on their own: refresh while one is going.
    refetchInterval: (q) =>
      q.state.data?.items.some((r) => !FINAL_EVAL_RUN_STATUSES.includes(r.status)) ? 2000 : false,
  });

  const columns: DataTableColumn<RunRow>[] = [
    {
      key: "run",
      header: "Run",
      cell: (r) => (
        <div className="min-w-36">
          <Link href={`/projects/${projectId}/evals/${r.id}`} className="font-medium hover:underline">
            {r.name || `Run ${r.id.slice(0, 8)}`}
          </Link>
          <div className="text-muted-foreground text-xs">
            {formatRelative(r.createdAt)} · {r.createdByLabel}
          </div>
        </div>
      ),
    },
    {
      key: "status",
      header: "Status",
      cell: (r) => (
        <div className="flex min-w-28 flex-col gap-1.5">
          <Badge tone={STATUS_TONE[r.status]} dot className="self-start">
            {r.status}
          </Badge>
          {r.status === "running" || r.status === "queued" ? (
            <ProgressBar
              value={r.totalCases ? (r.doneCases / r.totalCases) * 100 : 0}
              label={`${r.doneCases} / ${r.totalCases}`}
            />
          ) : (
            <span className="text-muted-foreground text-xs tabular-nums">
              {r.doneCases} / {r.totalCases} results
            </span>
          )}
          {r.error ? (
            <span className="max-w-56 text-danger text-xs" title={r.error}>
              {r.error}
            </span>
          ) : null}
        </div>
      ),
    },
    {
      key: "dataset",
      header: "Dataset",
      cell: (r) => (
        <span className="whitespace-nowrap">
          {r.dataset.name} <span className="text-muted-foreground">v{r.dataset.version}</span>
        </span>
      ),
    },
    {
      key: "targets",
      header: "Targets · overall score",
      cell: (r) => (
        <ul className="flex min-w-56 flex-col gap-1">
          {r.targets.map((t) => (
            <TargetScore key={t.id} target={t} />
          ))}
        </ul>
      ),
    },
    { key: "gate", header: "Gate", cell: (r) => <GateBadge passed={r.gatePassed} /> },
    {
      key: "cost",
      header: "Cost",
      cell: (r) => (
        <span
          className="whitespace-nowrap tabular-nums"
          title={`targets ${formatMoney(r.costUsd)}, evaluators ${formatMoney(r.evalCostUsd)}`}
        >
          {formatMoney(r.costUsd + r.evalCostUsd)}
          {r.budgetUsd !== null ? <span className="text-muted-foreground"> / {formatMoney(r.budgetUsd)}</span> : null}
        </span>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Evals"
        description="Eval runs score prompt and model versions over a dataset version: every case through the gateway, each answer judged by your evaluators, with 95 % intervals per target. Runs go on the job runtime (see Jobs) and resume after a restart."
        actions={create.button}
      />
      <DataTable
        caption="Eval runs"
        columns={columns}
        rowKey={(r) => r.id}
        rows={runs.data?.items ?? []}
        loading={runs.isLoading}
        error={runs.error}
        onRetry={() => void runs.refetch()}
        empty={
          <EmptyState
            icon={ClipboardCheck}
            title="No eval runs yet"
            description="Pick a dataset version, the prompt and model versions to compare, and evaluators: the run scores every case on every target."
            action={create.emptyAction}
          />
        }
      />
      <NewEvalRunDialog {...create.dialog} />
    </>
  );
}
