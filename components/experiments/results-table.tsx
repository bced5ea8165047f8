"use client";

import { TriangleAlert } from "lucide-react";
import { differenceText, estimateText, pNumber, pText, relativeText } from "@/components/experiments/stat-format";
import type { RouterOutputs } from "@/components/providers/trpc";
import { Badge } from "@/components/ui";
import { ScrollBox } from "@/components/ui/scroll-box";

type Results = RouterOutputs["experiments"]["results"];
type Metric = Results["metrics"][number];

/** How the page adjusted p and the interval, in words: the two always go together. */
function adjustmentNote(metric: Metric, sequential: boolean): string {
  const a = metric.analysis;
  const m = a.comparisons.length;
  if (sequential)
    return m > 1
      ? `Always-valid p-values are Holm-adjusted for ${m} comparisons; always-valid intervals are not adjusted, so read the p-value.`
      : "Always-valid p-value and interval (mSPRT): safe to read at any time.";
  if (a.correction !== "holm" || m < 2) return `p-values and intervals are not adjusted (${m} comparison).`;
  return `p-values and intervals are both Holm-adjusted for ${m} comparisons: each interval is at the level the adjustment leaves its comparison (shown), so it excludes 0 exactly when p < α.`;
}

/** One metric: each variant's estimate with its 95 % CI, and the difference against control with its CI and p-value. */
export function ResultsTable({
  metric,
  variants,
  sequential,
}: {
  metric: Metric;
  variants: Results["variants"];
  sequential: boolean;
}) {
  const a = metric.analysis;
  const rate = metric.kind === "rate";
  const holm = a.correction === "holm" && a.comparisons.length > 1;
  return (
    <section aria-label={`Results for ${metric.name}`} className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="font-medium text-sm">{metric.name}</h2>
        <Badge>{rate ? "rate" : "mean"}</Badge>
        {metric.source === "feedback" && <Badge tone="info">feedback “{metric.feedbackName}”</Badge>}
        {metric.source === "online_eval" && <Badge tone="info">online evaluation “{metric.onlineEvalRule}”</Badge>}
        <span className="text-muted-foreground text-xs">
          {rate ? "two-proportion z-test, Wilson intervals" : "Welch's t-test, t intervals"} · α = {a.alpha}
        </span>
      </div>
      <p className="text-muted-foreground text-xs" data-testid={`adjustment-${metric.name}`}>
        {adjustmentNote(metric, sequential)}
        {rate ? " Differences are in percentage points (pp); the relative change is the difference over control." : ""}
        {metric.source === "feedback"
          ? rate
            ? " Rate: share of rated units with a positive score (units that did not rate are left out)."
            : " Mean: average of each unit's mean score."
          : metric.source === "online_eval"
            ? rate
              ? " Rate: share of scored units with a passing answer (units not sampled are left out)."
              : " Mean: average of each unit's mean online evaluation score."
            : ""}
      </p>
      {a.srm?.flagged && (
        <p role="alert" className="flex items-center gap-2 rounded-md bg-danger-soft p-2 text-danger text-sm">
          <TriangleAlert className="size-4 shrink-0" aria-hidden /> Sample-ratio mismatch (χ² {pText(a.srm.pValue)}):
          the split is not what was configured — do not trust these comparisons until the cause is found.
        </p>
      )}
      {a.srm && !a.srm.flagged && a.srm.pValue !== null && (
        <p className="text-muted-foreground text-xs">
          Sample ratio OK: χ² {pText(a.srm.pValue)} against the configured weights.
        </p>
      )}
      <ScrollBox label="Results (scrolls sideways)">
        <table className="w-full min-w-[48rem] text-sm [&_td]:whitespace-nowrap [&_td]:pr-3 [&_th]:pr-3">
          <thead className="text-left text-muted-foreground text-xs">
            <tr>
              <th className="py-1.5 font-medium">Variant</th>
              <th className="font-medium">
                {rate && metric.source === "feedback"
                  ? "Rated units"
                  : rate && metric.source === "online_eval"
                    ? "Scored units"
                    : "Units"}
              </th>
              <th className="font-medium">{rate ? "Rate" : "Mean"} (95% CI)</th>
              <th className="font-medium">
                Δ vs control{rate ? " (pp)" : ""} ({sequential ? "always-valid" : holm ? "Holm-adjusted" : "95%"} CI)
              </th>
              <th className="font-medium">Relative change</th>
              <th className="font-medium">{sequential ? "Always-valid p" : holm ? "p (Holm-adjusted)" : "p"}</th>
              <th className="font-medium">Result</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {a.variants.map((v) => {
              const cmp = a.comparisons.find((c) => c.key === v.key);
              const c = cmp?.comparison;
              const info = variants.find((x) => x.key === v.key);
              const significant = sequential ? cmp?.sequential?.significant : c?.significant;
              const interval = sequential ? cmp?.sequential?.ci : c?.adjustedCi;
              const p = sequential ? cmp?.sequential?.adjustedPValue : c?.adjustedPValue;
              const better = c?.difference != null && (metric.higherIsBetter ? c.difference > 0 : c.difference < 0);
              return (
                <tr key={v.key} data-testid={`result-${metric.name}-${v.key}`}>
                  <td className="py-2 font-medium">
                    {v.key}
                    {info?.isControl && <span className="text-muted-foreground"> (control)</span>}
                  </td>
                  <td>{v.summary.n.toLocaleString("en-US")}</td>
                  <td>
                    {estimateText(v.summary.estimate, rate)}{" "}
                    <span className="text-muted-foreground text-xs">
                      [{estimateText(v.summary.ci?.lower, rate)}, {estimateText(v.summary.ci?.upper, rate)}]
                    </span>
                  </td>
                  <td data-testid={`difference-${metric.name}-${v.key}`}>
                    {c ? (
                      <>
                        {differenceText(c.difference, rate)}{" "}
                        <span className="text-muted-foreground text-xs">
                          [{differenceText(interval?.lower, rate)}, {differenceText(interval?.upper, rate)}]
                          {!sequential && holm && c.adjustedCiLevel !== null
                            ? ` at ${(c.adjustedCiLevel * 100).toFixed(1)}%`
                            : ""}
                        </span>
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>{c ? relativeText(c.relativeLift) : "—"}</td>
                  <td>{c ? pNumber(p) : "—"}</td>
                  <td>
                    {!c ? null : c.status !== "ok" ? (
                      <Badge title={c.reason ?? undefined}>insufficient data</Badge>
                    ) : significant ? (
                      <Badge tone={better ? "success" : "danger"}>{better ? "better" : "worse"}</Badge>
                    ) : (
                      <Badge>not significant</Badge>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollBox>
    </section>
  );
}
