"use client";

import { useMemo, useState } from "react";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Button, Field, Input } from "@/components/ui";
import { sampleSizeInput, unitsPerArmForRate } from "@/lib/experiments/sample-size";

const number = (text: string) => (text.trim() === "" ? Number.NaN : Number(text));

/**
 * The planned units per arm, and a calculator for a rate metric: from the control's rate, the smallest
 * difference worth detecting (percentage points), alpha and power it shows the units per arm the
 * two-proportion z-test needs, and "Use" copies them into the plan.
 */
export function PlannedSize({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  const [baseline, setBaseline] = useState("10");
  const [effect, setEffect] = useState("2");
  const [alpha, setAlpha] = useState("0.05");
  const [power, setPower] = useState("0.8");
  const draft = useMemo(
    () => ({
      baselineRate: number(baseline) / 100,
      minimumDetectableEffect: number(effect) / 100,
      alpha: number(alpha),
      power: number(power),
    }),
    [baseline, effect, alpha, power],
  );
  const v = useLiveValidation(sampleSizeInput, draft);
  const computed = v.valid ? unitsPerArmForRate(draft) : null;
  return (
    <fieldset className="flex flex-col gap-2 rounded-md border border-border p-3">
      <legend className="px-1 font-medium text-sm">Planned sample size</legend>
      <Field
        label="Planned units per arm"
        htmlFor="exp-planned"
        error={error}
        hint="A fixed-horizon result is read once, when every arm has this many units. Leave empty for no plan."
      >
        <Input
          id="exp-planned"
          inputMode="numeric"
          value={value}
          placeholder="e.g. 3841"
          onChange={(e) => onChange(e.target.value)}
        />
      </Field>
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        <Field label="Control rate (%)" htmlFor="plan-baseline" error={v.error("baselineRate")}>
          <Input
            id="plan-baseline"
            inputMode="decimal"
            value={baseline}
            onChange={(e) => setBaseline(e.target.value)}
          />
        </Field>
        <Field label="Detect (pp)" htmlFor="plan-effect" error={v.error("minimumDetectableEffect")}>
          <Input id="plan-effect" inputMode="decimal" value={effect} onChange={(e) => setEffect(e.target.value)} />
        </Field>
        <Field label="Alpha" htmlFor="plan-alpha" error={v.error("alpha")}>
          <Input id="plan-alpha" inputMode="decimal" value={alpha} onChange={(e) => setAlpha(e.target.value)} />
        </Field>
        <Field label="Power" htmlFor="plan-power" error={v.error("power")}>
          <Input id="plan-power" inputMode="decimal" value={power} onChange={(e) => setPower(e.target.value)} />
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span data-testid="planned-size-result">
          {computed !== null
            ? `${computed.toLocaleString("en-US")} units per arm detect ${effect.trim()} pp on ${baseline.trim()}% (two-sided α ${alpha.trim()}, power ${power.trim()})`
            : "Fix the inputs to compute a size"}
        </span>
        <Button
          variant="secondary"
          size="sm"
          disabled={computed === null}
          onClick={() => computed !== null && onChange(String(computed))}
        >
          Use {computed?.toLocaleString("en-US") ?? ""}
        </Button>
      </div>
    </fieldset>
  );
}
