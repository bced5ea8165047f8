"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowUpCircle, Pause, Play, XCircle } from "lucide-react";
import { useParams } from "next/navigation";
import { useState } from "react";
import { formatDateTimeSeconds } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { WithReason } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import {
  Button,
  Card,
  CardContent,
  CardHeader,
  CardTitle,
  ConfirmDialog,
  ErrorState,
  LoadingState,
  PageHeader,
  toast,
} from "@/components/ui";
import { AnalysisWindows, ArmTable, EventList, StepsTimeline } from "./detail-parts";
import { RolloutStatusBadge, StepProgress } from "./format";

type Action = "pause" | "resume" | "promote" | "abort";
type Detail = RouterOutputs["rollouts"]["get"];

const CONFIRM: Record<
  Action,
  { title: string; description: (r: Detail) => string; label: string; done: string; danger?: boolean }
> = {
  pause: {
    title: "Pause the rollout?",
    description: (r) =>
      `The candidate keeps ${r.candidatePercent} % of the traffic; the analysis still rolls back on a failing window but does not advance.`,
    label: "Pause",
    done: "Paused",
  },
  resume: {
    title: "Resume the rollout?",
    description: () => "The analysis advances the rollout again on passing windows.",
    label: "Resume",
    done: "Resumed",
  },
  promote: {
    title: "Promote the candidate now?",
    description: (r) =>
      `The ${r.subjectType === "prompt" ? "label" : "alias"} '${r.label}' moves to v${r.candidateVersion} for everyone, and the rollout ends.`,
    label: "Promote",
    done: "Promoted: the label moved",
  },
  abort: {
    title: "Abort the rollout?",
    description: (r) => `All traffic goes back to v${r.stableVersion} at once; the label stays where it is.`,
    label: "Abort",
    done: "Aborted",
    danger: true,
  },
};

export function RolloutDetail({ rolloutId }: { rolloutId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const { can, role, isLoading } = useProjectAccess();
  const why = isLoading || can("rollouts:write") ? undefined : deniedReason(role, "rollouts:write");
  const [confirming, setConfirming] = useState<Action | null>(null);
  const rollout = useQuery({ ...trpc.rollouts.get.queryOptions({ id: rolloutId }), refetchInterval: 5000 });
  const options = {
    onSuccess: (data: Detail) => queryClient.setQueryData(trpc.rollouts.get.queryKey({ id: rolloutId }), data),
  };
  const mutations = {
    pause: useMutation(trpc.rollouts.pause.mutationOptions(options)),
    resume: useMutation(trpc.rollouts.resume.mutationOptions(options)),
    promote: useMutation(trpc.rollouts.promote.mutationOptions(options)),
    abort: useMutation(trpc.rollouts.abort.mutationOptions(options)),
  };

  if (rollout.isLoading) return <LoadingState />;
  if (rollout.error || !rollout.data)
    return <ErrorState message={rollout.error?.message ?? "Not found"} onRetry={() => void rollout.refetch()} />;
  const r = rollout.data;
  const live = r.status === "running" || r.status === "paused";
  const button = (action: Action, icon: React.ReactNode, variant: "secondary" | "danger" | "primary" = "secondary") => (
    <WithReason why={why}>
      <Button variant={variant} disabled={!!why} onClick={() => setConfirming(action)}>
        {icon} {CONFIRM[action].label}
      </Button>
    </WithReason>
  );

  return (
    <>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            {r.subjectName} <span className="font-mono text-base text-muted-foreground">{r.label}</span>
            <RolloutStatusBadge status={r.status} />
          </span>
        }
        description={`v${r.stableVersion} (stable) → v${r.candidateVersion} (candidate) · started by ${r.createdByLabel}`}
        breadcrumbs={[{ label: "Rollouts", href: `/projects/${projectId}/rollouts` }, { label: r.subjectName }]}
        actions={
          live ? (
            <div className="flex flex-wrap gap-2">
              {r.status === "running"
                ? button("pause", <Pause className="size-4" aria-hidden />)
                : button("resume", <Play className="size-4" aria-hidden />)}
              {button("promote", <ArrowUpCircle className="size-4" aria-hidden />, "primary")}
              {button("abort", <XCircle className="size-4" aria-hidden />, "danger")}
            </div>
          ) : null
        }
      />
      {r.reason && (
        <p
          className={`rounded-md border p-3 text-sm ${r.status === "rolled_back" ? "border-danger/40 bg-danger-soft text-danger" : "bg-muted"}`}
          data-testid="rollout-reason"
        >
          {r.reason}
        </p>
      )}
      <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <Card>
          <CardHeader>
            <CardTitle>Steps</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <StepProgress percent={r.candidatePercent} step={r.currentStep} steps={r.steps.length} status={r.status} />
            <StepsTimeline rollout={r} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>This window</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-2">
            <p className="text-muted-foreground text-xs">
              Since {formatDateTimeSeconds(r.window.from)} — requests each version served, judged once both arms have{" "}
              {String(r.analysis.minSamples ?? 50)}.
            </p>
            <ArmTable stable={r.window.stable} candidate={r.window.candidate} />
          </CardContent>
        </Card>
      </div>
      <h2 className="mt-2 font-medium text-base">Analysis windows</h2>
      <AnalysisWindows events={r.events} />
      <h2 className="mt-2 font-medium text-base">Events</h2>
      <EventList events={r.events} />
      {confirming && (
        <ConfirmDialog
          open
          onOpenChange={(open) => !open && setConfirming(null)}
          title={CONFIRM[confirming].title}
          description={CONFIRM[confirming].description(r)}
          confirmLabel={CONFIRM[confirming].label}
          tone={CONFIRM[confirming].danger ? "danger" : "primary"}
          onConfirm={async () => {
            try {
              await mutations[confirming].mutateAsync({ id: r.id, reason: "" });
            } catch (error) {
              toast.error((error as Error).message);
              throw error;
            }
            toast.success(CONFIRM[confirming].done);
            void queryClient.invalidateQueries({ queryKey: trpc.rollouts.list.queryKey() });
          }}
        />
      )}
    </>
  );
}
