"use client";

import { Plus, X } from "lucide-react";
import { Button, Input, Select } from "@/components/ui";
import { describeThreshold, type Threshold } from "@/lib/evals/gate";

/** One threshold as the form edits it: the number stays text until it is saved. */
export interface ThresholdRow {
  metric: string;
  stat: "mean" | "pass_rate";
  higherIsBetter: boolean;
  bound: "threshold" | "minAbsoluteChange" | "minRelativeChange";
  value: string;
}

const emptyThresholdRow = (): ThresholdRow => ({
  metric: "overall",
  stat: "mean",
  higherIsBetter: true,
  bound: "threshold",
  value: "",
});

/** A saved threshold as rows (one per bound it sets). */
export function rowsOf(thresholds: Threshold[]): ThresholdRow[] {
  return thresholds.flatMap((t) =>
    (["threshold", "minAbsoluteChange", "minRelativeChange"] as const).flatMap((bound) =>
      t[bound] === undefined
        ? []
        : [{ metric: t.metric, stat: t.stat, higherIsBetter: t.higherIsBetter, bound, value: String(t[bound]) }],
    ),
  );
}

/** What the API takes; rows with an empty metric or number are left out (the server names any other mistake). */
export function thresholdsOf(rows: ThresholdRow[]): Threshold[] {
  return rows
    .filter((r) => r.metric.trim() && r.value.trim())
    .map((r) => ({
      metric: r.metric.trim(),
      stat: r.stat,
      higherIsBetter: r.higherIsBetter,
      [r.bound]: Number(r.value),
    }));
}

function preview(row: ThresholdRow): string {
  const [threshold] = thresholdsOf([row]);
  if (!threshold || !Number.isFinite(threshold[row.bound])) return "Give a metric and a number";
  return describeThreshold(threshold);
}

/**
 * The bar a release policy sets, one bound per row, each read back in words below it. Changes are measured
 * against the version the label points at now (the eval run's baseline target must be that version).
 */
export function ThresholdRows({ rows, onChange }: { rows: ThresholdRow[]; onChange: (rows: ThresholdRow[]) => void }) {
  const set = (i: number, patch: Partial<ThresholdRow>) =>
    onChange(rows.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  return (
    <fieldset className="flex min-w-0 flex-col gap-2">
      <legend className="mb-1 font-medium text-sm">Required results (optional)</legend>
      <p className="text-muted-foreground text-xs">
        Judged on the version's results in the eval run; changes against the version the label points at now. Rates and
        relative changes are fractions (0.9 = 90 %). Without any, the run's own gate decides.
      </p>
      {rows.map((row, i) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place in the list
          key={i}
          className="grid grid-cols-1 gap-2 rounded-md border border-border p-2 sm:grid-cols-[minmax(8rem,1fr)_7rem_10.5rem_13rem_6rem_auto]"
        >
          <Input
            aria-label={`Metric of threshold ${i + 1}`}
            placeholder="overall, an evaluator, latency_p95_ms"
            value={row.metric}
            onChange={(e) => set(i, { metric: e.target.value })}
          />
          <Select
            aria-label={`Statistic of threshold ${i + 1}`}
            value={row.stat}
            onChange={(e) => set(i, { stat: e.target.value as ThresholdRow["stat"] })}
          >
            <option value="mean">mean</option>
            <option value="pass_rate">pass rate</option>
          </Select>
          <Select
            aria-label={`Direction of threshold ${i + 1}`}
            value={row.higherIsBetter ? "higher" : "lower"}
            onChange={(e) => set(i, { higherIsBetter: e.target.value === "higher" })}
          >
            <option value="higher">higher is better</option>
            <option value="lower">lower is better</option>
          </Select>
          <Select
            aria-label={`Bound of threshold ${i + 1}`}
            value={row.bound}
            onChange={(e) => set(i, { bound: e.target.value as ThresholdRow["bound"] })}
          >
            <option value="threshold">value (min or max)</option>
            <option value="minAbsoluteChange">change vs current</option>
            <option value="minRelativeChange">relative change vs current</option>
          </Select>
          <Input
            aria-label={`Number of threshold ${i + 1}`}
            type="number"
            step="any"
            value={row.value}
            onChange={(e) => set(i, { value: e.target.value })}
          />
          <Button
            type="button"
            size="sm"
            variant="ghost"
            aria-label={`Remove threshold ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            <X className="size-4" aria-hidden />
          </Button>
          <p className="col-span-full text-muted-foreground text-xs" data-testid="threshold-preview">
            {preview(row)}
          </p>
        </div>
      ))}
      <div>
        <Button type="button" size="sm" variant="secondary" onClick={() => onChange([...rows, emptyThresholdRow()])}>
          <Plus className="size-4" aria-hidden /> Add threshold
        </Button>
      </div>
    </fieldset>
  );
}
