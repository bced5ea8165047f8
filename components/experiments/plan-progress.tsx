"use client";

import { TriangleAlert } from "lucide-react";
import type { RouterOutputs } from "@/components/providers/trpc";
import { Card, CardContent, ProgressBar } from "@/components/ui";

type Experiment = RouterOutputs["experiments"]["get"];
type Results = RouterOutputs["experiments"]["results"];

/**
 * Progress toward the planned units per arm (the smallest arm decides). A fixed-horizon test read before
 * the plan is reached, or without a plan, is a peek: the page says so instead of letting a p-value pass
 * for a result.
 */
export function PlanProgress({ experiment: e, results: r }: { experiment: Experiment; results: Results | undefined }) {
  if (e.status === "draft" || !r) return null;
  const smallest = Math.min(...r.variants.map((v) => v.units));
  const planned = e.plannedUnitsPerArm;
  if (e.sequential)
    return planned ? (
      <Card>
        <CardContent className="pt-4">
          <ProgressBar
            value={(smallest / planned) * 100}
            label={`Smallest arm: ${smallest.toLocaleString("en-US")} of ${planned.toLocaleString("en-US")} planned units`}
          />
        </CardContent>
      </Card>
    ) : null;
  const reached = planned !== null && smallest >= planned;
  return (
    <Card>
      <CardContent className="flex flex-col gap-2 pt-4" data-testid="plan-progress">
        {planned !== null && (
          <ProgressBar
            value={(smallest / planned) * 100}
            tone={reached ? "success" : "primary"}
            label={`Smallest arm: ${smallest.toLocaleString("en-US")} of ${planned.toLocaleString("en-US")} planned units`}
          />
        )}
        {!reached && e.status !== "concluded" && (
          <p role="status" className="flex items-start gap-2 text-sm text-warning">
            <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
            {planned === null
              ? "No planned sample size: these fixed-horizon p-values are only valid at a size chosen before the start, so reading them now is peeking."
              : "Peeking: the planned size is not reached, so these fixed-horizon p-values are not valid yet. Wait for the plan before deciding."}
          </p>
        )}
        {reached && (
          <p className="text-muted-foreground text-xs">
            The planned size is reached: read the results once, now, and decide.
          </p>
        )}
      </CardContent>
    </Card>
  );
}

/** What was decided, including the risks the person acknowledged. */
export function DecisionCard({ decision: d }: { decision: NonNullable<Experiment["decision"]> }) {
  return (
    <Card>
      <CardContent className="flex flex-col gap-1 pt-4 text-sm" data-testid="decision">
        <p>
          <strong>Concluded:</strong> {d.winnerKey === null ? "no winner, the control stays" : `${d.winnerKey} won`}
          {d.promoted ? ` and was promoted to ${d.promoted.label} (v${d.promoted.version})` : ""}. {d.reason}
        </p>
        {d.acknowledgedRisks.length > 0 && (
          <div className="text-warning text-xs">
            Concluded despite:
            <ul className="list-disc pl-5">
              {d.acknowledgedRisks.map((risk) => (
                <li key={risk}>{risk}</li>
              ))}
            </ul>
          </div>
        )}
        <p className="text-muted-foreground text-xs">by {d.decidedBy}</p>
      </CardContent>
    </Card>
  );
}
