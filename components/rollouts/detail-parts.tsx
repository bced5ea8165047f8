"use client";

import { Check, Circle, Minus, X } from "lucide-react";
import { formatDateTimeSeconds } from "@/components/format";
import type { RouterOutputs } from "@/components/providers/trpc";
import { Badge, DataTable, type DataTableColumn } from "@/components/ui";
import type { ArmMetrics, CriterionResult } from "@/lib/rollouts/schemas";
import { formatMean, formatMs, formatRate, formatUsd } from "./format";

type Detail = RouterOutputs["rollouts"]["get"];
type Event = Detail["events"][number];

/** Each step with its share and duration: done, current, or still to come. */
export function StepsTimeline({ rollout }: { rollout: Detail }) {
  const finished = rollout.status !== "running" && rollout.status !== "paused";
  return (
    <ol className="flex flex-col gap-2" aria-label="Steps">
      {rollout.steps.map((step, i) => {
        const done = i < rollout.currentStep || rollout.status === "promoted";
        const current = i === rollout.currentStep && !finished;
        const stopped = i === rollout.currentStep && (rollout.status === "rolled_back" || rollout.status === "aborted");
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a step is its position.
          <li key={i} className="flex items-center gap-3 text-sm" aria-current={current ? "step" : undefined}>
            <span
              className={`flex size-6 shrink-0 items-center justify-center rounded-full border ${
                done
                  ? "border-success bg-success-soft text-success"
                  : stopped
                    ? "border-danger bg-danger-soft text-danger"
                    : current
                      ? "border-primary text-primary"
                      : "text-muted-foreground"
              }`}
            >
              {done ? (
                <Check className="size-3.5" aria-hidden />
              ) : stopped ? (
                <X className="size-3.5" aria-hidden />
              ) : (
                <Circle className="size-2.5" aria-hidden />
              )}
            </span>
            <span className="font-medium tabular-nums">{step.percent} %</span>
            <span className="text-muted-foreground text-xs">
              {step.durationSeconds} s{step.pause ? " · waits for a person" : ""}
            </span>
            {current && <Badge tone="info">now</Badge>}
          </li>
        );
      })}
      <li className="flex items-center gap-3 text-sm">
        <span
          className={`flex size-6 shrink-0 items-center justify-center rounded-full border ${
            rollout.status === "promoted" ? "border-success bg-success-soft text-success" : "text-muted-foreground"
          }`}
        >
          {rollout.status === "promoted" ? (
            <Check className="size-3.5" aria-hidden />
          ) : (
            <Circle className="size-2.5" aria-hidden />
          )}
        </span>
        <span className="text-muted-foreground text-xs">
          promote: {rollout.subjectType === "prompt" ? "label" : "alias"} {rollout.label} → v{rollout.candidateVersion}
        </span>
      </li>
    </ol>
  );
}

const ROWS: { name: string; value: (a: ArmMetrics) => string }[] = [
  { name: "Requests", value: (a) => String(a.requests) },
  { name: "Error rate", value: (a) => `${formatRate(a.errorRate)} (${a.errors})` },
  { name: "Latency p95", value: (a) => formatMs(a.latencyP95Ms) },
  { name: "Cost / request", value: (a) => formatUsd(a.costPerRequestUsd) },
  { name: "Feedback mean", value: (a) => `${formatMean(a.feedbackMean)} (${a.feedbackCount})` },
  { name: "Online eval mean", value: (a) => `${formatMean(a.onlineEvalMean)} (${a.onlineEvalCount})` },
];

export function ArmTable({ stable, candidate }: { stable: ArmMetrics; candidate: ArmMetrics }) {
  return (
    <table className="w-full text-sm">
      <thead>
        <tr className="text-left text-muted-foreground text-xs">
          <th className="py-1 font-medium">Figure</th>
          <th className="py-1 text-right font-medium">Stable</th>
          <th className="py-1 text-right font-medium">Candidate</th>
        </tr>
      </thead>
      <tbody>
        {ROWS.map((row) => (
          <tr key={row.name} className="border-t">
            <td className="py-1.5">{row.name}</td>
            <td className="py-1.5 text-right tabular-nums">{row.value(stable)}</td>
            <td className="py-1.5 text-right tabular-nums">{row.value(candidate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface AnalysisDetail {
  step: number;
  percent: number;
  verdict: "waiting" | "pass" | "fail";
  reason: string | null;
  criteria: CriterionResult[];
  stable: ArmMetrics;
  candidate: ArmMetrics;
}

const VERDICT_TONE = { waiting: "neutral", pass: "success", fail: "danger" } as const;

function CriterionChip({ c }: { c: CriterionResult }) {
  const Icon = c.result === "pass" ? Check : c.result === "fail" ? X : Minus;
  const tone = c.result === "pass" ? "success" : c.result === "fail" ? "danger" : "neutral";
  return (
    <Badge tone={tone} className="gap-1">
      <Icon className="size-3" aria-hidden />
      {c.message}
    </Badge>
  );
}

/** The analysis events, newest first: each window's figures and every criterion's verdict. */
export function AnalysisWindows({ events }: { events: Event[] }) {
  const rows = events.filter((e) => e.kind === "analysis").reverse();
  const columns: DataTableColumn<Event>[] = [
    {
      key: "at",
      header: "Judged",
      cell: (e) => {
        const d = e.detail as unknown as AnalysisDetail;
        return (
          <div className="whitespace-nowrap text-xs">
            <div>{formatDateTimeSeconds(e.createdAt)}</div>
            <div className="text-muted-foreground">
              step {d.step + 1} · {d.percent} %
            </div>
          </div>
        );
      },
    },
    {
      key: "verdict",
      header: "Verdict",
      cell: (e) => {
        const d = e.detail as unknown as AnalysisDetail;
        return <Badge tone={VERDICT_TONE[d.verdict]}>{d.verdict}</Badge>;
      },
    },
    {
      key: "arms",
      header: "Requests · errors (stable / candidate)",
      cell: (e) => {
        const d = e.detail as unknown as AnalysisDetail;
        return (
          <span className="whitespace-nowrap text-xs tabular-nums">
            {d.stable.requests} · {formatRate(d.stable.errorRate)} / {d.candidate.requests} ·{" "}
            {formatRate(d.candidate.errorRate)}
          </span>
        );
      },
    },
    {
      key: "criteria",
      header: "Criteria",
      cell: (e) => {
        const d = e.detail as unknown as AnalysisDetail;
        if (d.verdict === "waiting") return <span className="text-muted-foreground text-xs">{d.reason}</span>;
        if (!d.criteria.length) return <span className="text-muted-foreground text-xs">no criteria set</span>;
        return (
          <div className="flex flex-wrap gap-1">
            {d.criteria.map((c) => (
              <CriterionChip key={c.name} c={c} />
            ))}
          </div>
        );
      },
    },
  ];
  return (
    <DataTable
      caption="Analysis windows"
      columns={columns}
      rowKey={(e) => e.id}
      rows={rows}
      empty={<p className="p-4 text-muted-foreground text-sm">Not analysed yet: the analysis runs every 10 seconds.</p>}
    />
  );
}

const EVENT_TONE: Record<string, "neutral" | "success" | "warning" | "danger" | "info"> = {
  started: "info",
  step: "info",
  paused: "warning",
  resumed: "info",
  promoted: "success",
  rolled_back: "danger",
  aborted: "neutral",
  webhook: "neutral",
};

function describeEvent(e: Event): string {
  const d = e.detail as Record<string, unknown>;
  switch (e.kind) {
    case "started":
      return `started at ${d.percent} % to v${d.candidateVersion}`;
    case "step":
      return `step ${Number(d.step) + 1}: ${d.from} % → ${d.percent} %`;
    case "webhook":
      return d.ok
        ? `webhook delivered (${d.status}, attempt ${d.attempts})`
        : `webhook failed after ${d.attempts} attempts: ${d.error ?? `HTTP ${d.status}`}`;
    case "promoted":
      return `label ${d.label} → v${d.version}${d.reason ? `: ${d.reason}` : ""}`;
    default:
      return typeof d.reason === "string" && d.reason ? String(d.reason) : "";
  }
}

export function EventList({ events }: { events: Event[] }) {
  const shown = events.filter((e) => e.kind !== "analysis").reverse();
  return (
    <ol className="flex flex-col divide-y rounded-lg border" aria-label="Events">
      {shown.map((e) => (
        <li key={e.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm">
          <Badge tone={EVENT_TONE[e.kind] ?? "neutral"}>{e.kind.replace("_", " ")}</Badge>
          <span className="min-w-48 flex-1 break-words">{describeEvent(e)}</span>
          <span className="text-muted-foreground text-xs">
            {e.actorLabel} · {formatDateTimeSeconds(e.createdAt)}
          </span>
        </li>
      ))}
    </ol>
  );
}
