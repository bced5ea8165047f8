"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Pause, Play, Trophy } from "lucide-react";
import { useParams } from "next/navigation";
import { useState } from "react";
import { ConcludeDialog } from "@/components/experiments/conclude-dialog";
import { MetricChart } from "@/components/experiments/metric-chart";
import { DecisionCard, PlanProgress } from "@/components/experiments/plan-progress";
import { ResultsTable } from "@/components/experiments/results-table";
import { ExperimentStatusBadge, SplitBar } from "@/components/experiments/status-badge";
import { VIEWER_REASON, WriteButton } from "@/components/experiments/write-button";
import { useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { Card, CardContent, ErrorState, LoadingState, PageHeader, Stat, toast } from "@/components/ui";

export function ExperimentDetail({ experimentId }: { experimentId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const { can } = useProjectAccess();
  const [concluding, setConcluding] = useState(false);
  const experiment = useQuery(trpc.experiments.get.queryOptions({ id: experimentId }));
  const results = useQuery({ ...trpc.experiments.results.queryOptions({ id: experimentId }), refetchInterval: 15_000 });
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.experiments.get.queryKey({ id: experimentId }) });
  const start = useMutation(
    trpc.experiments.start.mutationOptions({ onSuccess: () => void refresh(), onError: (e) => toast.error(e.message) }),
  );
  const stop = useMutation(
    trpc.experiments.stop.mutationOptions({ onSuccess: () => void refresh(), onError: (e) => toast.error(e.message) }),
  );
  if (experiment.isLoading) return <LoadingState label="Loading experiment…" />;
  if (experiment.error || !experiment.data)
    return (
      <ErrorState
        message={experiment.error?.message ?? "Experiment not found"}
        onRetry={() => void experiment.refetch()}
      />
    );
  const e = experiment.data;
  const mayWrite = can("experiments:write");
  const r = results.data;
  const totalUnits = r?.variants.reduce((s, v) => s + v.units, 0) ?? 0;
  return (
    <>
      <PageHeader
        title={e.name}
        description={e.hypothesis || e.description || undefined}
        breadcrumbs={[{ label: "Experiments", href: `/projects/${projectId}/experiments` }, { label: e.name }]}
        actions={
          <div className="flex items-center gap-2">
            <ExperimentStatusBadge status={e.status} />
            {(e.status === "draft" || e.status === "stopped") && (
              <WriteButton
                allowed={mayWrite}
                reason={VIEWER_REASON}
                onClick={() => start.mutate({ id: e.id })}
                loading={start.isPending}
              >
                <Play className="size-4" aria-hidden /> Start
              </WriteButton>
            )}
            {e.status === "running" && (
              <WriteButton
                allowed={mayWrite}
                reason={VIEWER_REASON}
                variant="secondary"
                onClick={() => stop.mutate({ id: e.id })}
                loading={stop.isPending}
              >
                <Pause className="size-4" aria-hidden /> Stop
              </WriteButton>
            )}
            {(e.status === "running" || e.status === "stopped") && (
              <WriteButton allowed={mayWrite} reason={VIEWER_REASON} onClick={() => setConcluding(true)}>
                <Trophy className="size-4" aria-hidden /> Conclude
              </WriteButton>
            )}
          </div>
        }
      />
      {e.decision && <DecisionCard decision={e.decision} />}
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat label="Units" value={totalUnits.toLocaleString("en-US")} />
        <Stat
          label="Exposures"
          value={(r?.variants.reduce((s, v) => s + v.exposures, 0) ?? 0).toLocaleString("en-US")}
        />
        <Stat
          label="Traffic"
          value={`${e.trafficPercent}%`}
          hint={e.promptName ? `prompt ${e.promptName}` : undefined}
        />
        <Stat
          label="Analysis"
          value={e.sequential ? "Sequential" : "Fixed horizon"}
          hint={
            e.sequential
              ? "always-valid p-values: safe to look any time"
              : e.plannedUnitsPerArm
                ? "look once, at the planned size"
                : "no planned size: p-values are peeks"
          }
        />
      </div>
      <PlanProgress experiment={e} results={r} />
      <Card>
        <CardContent className="flex flex-col gap-2 pt-4">
          <h2 className="font-medium text-sm">Split</h2>
          <SplitBar variants={e.variants} />
          <div className="flex flex-wrap gap-4 text-muted-foreground text-xs">
            {e.variants.map((v) => (
              <span key={v.key}>
                <strong className="text-foreground">{v.key}</strong>
                {v.isControl ? " (control)" : ""} · {v.weight}% configured
                {v.promptVersion ? ` · prompt v${v.promptVersion}` : ""}
                {r ? ` · ${r.variants.find((x) => x.key === v.key)?.units ?? 0} units` : ""}
              </span>
            ))}
          </div>
          {r && r.nonStickyShare > 0 && (
            <p className="text-warning text-xs">
              {(r.nonStickyShare * 100).toFixed(1)}% of exposures had no unit id and were assigned per request (each
              counted as its own unit).
            </p>
          )}
        </CardContent>
      </Card>
      {results.isLoading ? (
        <LoadingState label="Computing results…" />
      ) : results.error ? (
        <ErrorState message={results.error.message} onRetry={() => void results.refetch()} />
      ) : (
        r?.metrics.map((m) => (
          <Card key={m.name}>
            <CardContent className="flex flex-col gap-3 pt-4">
              <ResultsTable metric={m} variants={r.variants} sequential={e.sequential} />
              {m.source === "feedback" ? (
                <p className="text-muted-foreground text-xs">
                  Read from the feedback scores “{m.feedbackName}” of the experiment's requests (no hourly chart).
                </p>
              ) : m.source === "online_eval" ? (
                <p className="text-muted-foreground text-xs">
                  Read from the scores online evaluation rule “{m.onlineEvalRule}” gave a sample of the experiment's
                  requests (no hourly chart).
                </p>
              ) : (
                <MetricChart
                  series={r.series.filter((s) => s.metric === m.name)}
                  variants={e.variants.map((v) => v.key)}
                />
              )}
            </CardContent>
          </Card>
        ))
      )}
      {concluding && <ConcludeDialog experiment={e} results={r} open={concluding} onOpenChange={setConcluding} />}
    </>
  );
}
