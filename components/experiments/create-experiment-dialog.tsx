"use client";

import { useQuery } from "@tanstack/react-query";
import { Plus, Trash2 } from "lucide-react";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { PlannedSize } from "@/components/experiments/planned-size";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { Button, Checkbox, Field, FormDialog, Input, Select, Textarea } from "@/components/ui";

interface VariantRow {
  key: string;
  promptVersion: string;
  weight: string;
}
interface MetricRow {
  name: string;
  kind: "rate" | "mean";
  source: "outcomes" | "feedback";
}

const FIELDS = ["name", "promptId", "variants", "metrics", "trafficPercent", "plannedUnitsPerArm"];

/** A prompt A/B test: pick the prompt, its versions as variants with weights, and the metrics. */
export function CreateExperimentDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const { projectId } = useParams<{ projectId: string }>();
  const prompts = useQuery({ ...trpc.prompts.list.queryOptions({ page: 1, pageSize: 100 }), enabled: open });
  const [name, setName] = useState("");
  const [hypothesis, setHypothesis] = useState("");
  const [promptId, setPromptId] = useState("");
  const [traffic, setTraffic] = useState("100");
  const [sequential, setSequential] = useState(false);
  const [variants, setVariants] = useState<VariantRow[]>([
    { key: "control", promptVersion: "", weight: "50" },
    { key: "treatment", promptVersion: "", weight: "50" },
  ]);
  const [metrics, setMetrics] = useState<MetricRow[]>([{ name: "thumbs_up", kind: "rate", source: "outcomes" }]);
  const [planned, setPlanned] = useState("");
  const prompt = useQuery({ ...trpc.prompts.get.queryOptions({ id: promptId }), enabled: !!promptId });
  const create = useFormMutation(trpc.experiments.create.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: (created) => `Created ${created.name}`,
    invalidate: [trpc.experiments.list.queryKey()],
    onDone: (created) => router.push(`/projects/${projectId}/experiments/${created.id}`),
  });
  const versions = prompt.data?.versions ?? [];
  const setMetric = (i: number, patch: Partial<MetricRow>) =>
    setMetrics((ms) => ms.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const setVariant = (i: number, patch: Partial<VariantRow>) =>
    setVariants((vs) => vs.map((v, j) => (j === i ? { ...v, ...patch } : v)));

  return (
    <FormDialog
      open={open}
      {...create.formDialog}
      title="New experiment"
      description="Starts as a draft: check the split, then start it. Variants freeze while it runs."
      className="max-w-2xl"
      submitLabel="Create draft"
      onSubmit={() =>
        create.submit({
          name,
          hypothesis,
          promptId: promptId || undefined,
          trafficPercent: Number(traffic),
          sequential,
          plannedUnitsPerArm: planned.trim() ? Number(planned) : undefined,
          metrics: metrics.map((m) => ({ ...m, higherIsBetter: true })),
          variants: variants.map((v, i) => ({
            key: v.key,
            weight: Number(v.weight),
            isControl: i === 0,
            promptVersion: v.promptVersion ? Number(v.promptVersion) : undefined,
          })),
        })
      }
      formClassName="flex flex-col gap-4"
    >
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <Field label="Name" htmlFor="exp-name" error={create.fieldError("name")}>
          <Input id="exp-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
        </Field>
        <Field label="Prompt" htmlFor="exp-prompt" error={create.fieldError("promptId")}>
          <Select id="exp-prompt" value={promptId} onChange={(e) => setPromptId(e.target.value)}>
            <option value="">Choose a prompt…</option>
            {(prompts.data?.items ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field label="Hypothesis" htmlFor="exp-hypothesis">
        <Textarea id="exp-hypothesis" rows={2} value={hypothesis} onChange={(e) => setHypothesis(e.target.value)} />
      </Field>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 font-medium text-sm">Variants (the first is the control; weights sum to 100)</legend>
        {variants.map((v, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
          <div key={i} className="grid grid-cols-[1fr_1fr_6rem_auto] items-center gap-2">
            <Input
              aria-label={`Key of variant ${i + 1}`}
              value={v.key}
              onChange={(e) => setVariant(i, { key: e.target.value })}
            />
            <Select
              aria-label={`Prompt version of variant ${i + 1}`}
              value={v.promptVersion}
              onChange={(e) => setVariant(i, { promptVersion: e.target.value })}
            >
              <option value="">Version…</option>
              {versions.map((pv) => (
                <option key={pv.id} value={pv.version}>
                  v{pv.version} {pv.labels.length ? `(${pv.labels.join(", ")})` : ""}
                </option>
              ))}
            </Select>
            <Input
              aria-label={`Weight of variant ${i + 1}`}
              inputMode="numeric"
              value={v.weight}
              onChange={(e) => setVariant(i, { weight: e.target.value })}
            />
            <Button
              variant="ghost"
              size="icon"
              aria-label={`Remove variant ${i + 1}`}
              disabled={variants.length <= 2}
              onClick={() => setVariants((vs) => vs.filter((_, j) => j !== i))}
            >
              <Trash2 className="size-4" aria-hidden />
            </Button>
          </div>
        ))}
        <Button
          variant="ghost"
          size="sm"
          className="self-start"
          onClick={() =>
            setVariants((vs) => [...vs, { key: `variant-${vs.length + 1}`, promptVersion: "", weight: "0" }])
          }
        >
          <Plus className="size-4" aria-hidden /> Add variant
        </Button>
        {create.fieldError("variants") && (
          <p role="alert" className="text-danger text-sm">
            {create.fieldError("variants")}
          </p>
        )}
      </fieldset>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 font-medium text-sm">Metrics (the first is primary)</legend>
        {metrics.map((m, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
          <div key={i} className="grid grid-cols-1 gap-2 sm:grid-cols-[1fr_9rem_11rem]">
            <Input
              aria-label={`Metric ${i + 1} name`}
              value={m.name}
              onChange={(e) => setMetric(i, { name: e.target.value })}
            />
            <Select
              aria-label={`Metric ${i + 1} kind`}
              value={m.kind}
              onChange={(e) => setMetric(i, { kind: e.target.value as MetricRow["kind"] })}
            >
              <option value="rate">rate (0/1)</option>
              <option value="mean">mean (score)</option>
            </Select>
            <Select
              aria-label={`Metric ${i + 1} source`}
              value={m.source}
              onChange={(e) => setMetric(i, { source: e.target.value as MetricRow["source"] })}
            >
              <option value="outcomes">posted outcomes</option>
              <option value="feedback">feedback score (by name)</option>
            </Select>
          </div>
        ))}
        {metrics.some((m) => m.source === "feedback") && (
          <p className="text-muted-foreground text-xs">
            A feedback metric reads the feedback scores with its name given to the experiment's requests: a rate is the
            share of rated units with a score above 0, a mean the average of each unit's scores.
          </p>
        )}
        <Button
          variant="ghost"
          size="sm"
          className="self-start"
          onClick={() => setMetrics((ms) => [...ms, { name: "rating", kind: "mean", source: "outcomes" }])}
        >
          <Plus className="size-4" aria-hidden /> Add metric
        </Button>
      </fieldset>
      <PlannedSize value={planned} onChange={setPlanned} error={create.fieldError("plannedUnitsPerArm")} />
      <div className="grid grid-cols-1 items-end gap-3 sm:grid-cols-2">
        <Field label="Traffic in the experiment (%)" htmlFor="exp-traffic" error={create.fieldError("trafficPercent")}>
          <Input id="exp-traffic" inputMode="decimal" value={traffic} onChange={(e) => setTraffic(e.target.value)} />
        </Field>
        <Checkbox
          label="Sequential analysis"
          description="Always-valid p-values: safe to look at results any time"
          checked={sequential}
          onChange={(e) => setSequential(e.target.checked)}
        />
      </div>
      <FormError error={create.error} fields={FIELDS} />
    </FormDialog>
  );
}
