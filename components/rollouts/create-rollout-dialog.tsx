"use client";

import { useQuery } from "@tanstack/react-query";
import { Plus, X } from "lucide-react";
import { useParams, useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Button, Checkbox, Field, FormDialog, Input, Select } from "@/components/ui";
import { createRolloutSchema } from "@/lib/rollouts/schemas";

interface StepDraft {
  percent: string;
  durationSeconds: string;
  pause: boolean;
}

const PRESETS: { label: string; percents: number[] }[] = [
  { label: "5 · 25 · 50 · 100", percents: [5, 25, 50, 100] },
  { label: "10 · 50 · 100", percents: [10, 50, 100] },
  { label: "1 · 10 · 100", percents: [1, 10, 100] },
];

const toSteps = (percents: number[], seconds = "300"): StepDraft[] =>
  percents.map((p) => ({ percent: String(p), durationSeconds: seconds, pause: false }));
/** "" is "not set" for optional numbers; anything else must parse (NaN is named by the schema). */
const optionalNumber = (value: string) => (value.trim() === "" ? undefined : Number(value));

export function CreateRolloutDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { projectId } = useParams<{ projectId: string }>();
  const [subjectType, setSubjectType] = useState<"prompt" | "model">("prompt");
  const [subjectId, setSubjectId] = useState("");
  const [label, setLabel] = useState("production");
  const [candidateVersionId, setCandidateVersionId] = useState("");
  const [steps, setSteps] = useState<StepDraft[]>(toSteps([5, 25, 50, 100]));
  const [minSamples, setMinSamples] = useState("50");
  const [maxErrorRate, setMaxErrorRate] = useState("0.05");
  const [maxLatencyP95Ms, setMaxLatencyP95Ms] = useState("");
  const [maxLatencyP95Ratio, setMaxLatencyP95Ratio] = useState("1.5");
  const [maxCost, setMaxCost] = useState("");
  const [feedbackName, setFeedbackName] = useState("");
  const [feedbackMin, setFeedbackMin] = useState("");
  const [webhookUrl, setWebhookUrl] = useState("");

  const models = useQuery({ ...trpc.models.list.queryOptions({ pageSize: 100 }), enabled: open });
  const prompts = useQuery({ ...trpc.prompts.list.queryOptions({ pageSize: 100 }), enabled: open });
  const model = useQuery({
    ...trpc.models.get.queryOptions({ id: subjectId }),
    enabled: open && subjectType === "model" && subjectId !== "",
  });
  const prompt = useQuery({
    ...trpc.prompts.get.queryOptions({ id: subjectId }),
    enabled: open && subjectType === "prompt" && subjectId !== "",
  });
  const subjects =
    subjectType === "model"
      ? (models.data?.items ?? []).map((m) => ({ id: m.id, name: m.name }))
      : (prompts.data?.items ?? []).map((p) => ({ id: p.id, name: p.name }));
  const detail = subjectType === "model" ? model.data : prompt.data;
  const labels = subjectType === "model" ? (model.data?.aliases ?? []) : (prompt.data?.labels ?? []);
  const stableVersion = labels.find((l) => l.name === label)?.version;
  const versions = (detail?.versions ?? []).filter((v) => v.version !== stableVersion);

  const draft = useMemo(
    () => ({
      subjectType,
      subjectId,
      label,
      candidateVersionId,
      steps: steps.map((s) => ({
        percent: optionalNumber(s.percent) ?? Number.NaN,
        durationSeconds: optionalNumber(s.durationSeconds) ?? Number.NaN,
        pause: s.pause,
      })),
      analysis: {
        minSamples: optionalNumber(minSamples) ?? Number.NaN,
        maxErrorRate: optionalNumber(maxErrorRate),
        maxLatencyP95Ms: optionalNumber(maxLatencyP95Ms),
        maxLatencyP95Ratio: optionalNumber(maxLatencyP95Ratio),
        maxCostPerRequestUsd: optionalNumber(maxCost),
        ...(feedbackName.trim()
          ? { feedback: { name: feedbackName.trim(), minMean: optionalNumber(feedbackMin) ?? Number.NaN } }
          : {}),
      },
      ...(webhookUrl.trim() ? { webhookUrl: webhookUrl.trim() } : {}),
    }),
    [
      subjectType,
      subjectId,
      label,
      candidateVersionId,
      steps,
      minSamples,
      maxErrorRate,
      maxLatencyP95Ms,
      maxLatencyP95Ratio,
      maxCost,
      feedbackName,
      feedbackMin,
      webhookUrl,
    ],
  );
  const v = useLiveValidation(createRolloutSchema, draft);
  const create = useFormMutation(trpc.rollouts.create.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: (created) => `Started the rollout of ${created.subjectName} v${created.candidateVersion}`,
    invalidate: [trpc.rollouts.list.queryKey()],
    onDone: (created) => router.push(`/projects/${projectId}/rollouts/${created.id}`),
  });
  const error = (field: string) => v.error(field) ?? create.fieldError(field);
  const setStep = (index: number, change: Partial<StepDraft>) =>
    setSteps((all) => all.map((s, i) => (i === index ? { ...s, ...change } : s)));

  return (
    <FormDialog
      open={open}
      {...create.formDialog}
      title="New rollout"
      description="The label's current version stays the stable arm; the candidate gets each step's share of users until the analysis promotes it or rolls it back."
      className="max-w-2xl"
      submitLabel="Start rollout"
      onSubmit={() => (v.valid ? create.submit(draft as never) : v.showAll())}
      formClassName="grid gap-4 sm:grid-cols-2"
    >
      <Field label="Roll out a" htmlFor="rollout-type">
        <Select
          id="rollout-type"
          value={subjectType}
          onChange={(e) => {
            setSubjectType(e.target.value as "prompt" | "model");
            setSubjectId("");
            setCandidateVersionId("");
          }}
        >
          <option value="prompt">prompt (label)</option>
          <option value="model">model (alias)</option>
        </Select>
      </Field>
      <Field label={subjectType === "prompt" ? "Prompt" : "Model"} htmlFor="rollout-subject" error={error("subjectId")}>
        <Select
          id="rollout-subject"
          value={subjectId}
          onChange={(e) => {
            setSubjectId(e.target.value);
            setCandidateVersionId("");
          }}
        >
          <option value="">Choose…</option>
          {subjects.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field
        label={subjectType === "prompt" ? "Label" : "Alias"}
        htmlFor="rollout-label"
        error={error("label")}
        hint={stableVersion ? `points at v${stableVersion} now: the stable arm` : "whose traffic moves"}
      >
        <Select id="rollout-label" value={label} onChange={(e) => setLabel(e.target.value)}>
          {!labels.some((l) => l.name === label) && <option value={label}>{label}</option>}
          {labels.map((l) => (
            <option key={l.name} value={l.name}>
              {l.name} (v{l.version})
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Candidate version" htmlFor="rollout-candidate" error={error("candidateVersionId")}>
        <Select
          id="rollout-candidate"
          value={candidateVersionId}
          onChange={(e) => setCandidateVersionId(e.target.value)}
        >
          <option value="">Choose…</option>
          {versions.map((ver) => (
            <option key={ver.id} value={ver.id}>
              v{ver.version}
            </option>
          ))}
        </Select>
      </Field>

      <fieldset className="flex flex-col gap-2 sm:col-span-2">
        <legend className="mb-1 font-medium text-sm">Steps</legend>
        <div className="flex flex-wrap items-center gap-2 text-xs">
          <span className="text-muted-foreground">Presets:</span>
          {PRESETS.map((p) => (
            <Button
              key={p.label}
              type="button"
              size="sm"
              variant="secondary"
              onClick={() => setSteps(toSteps(p.percents))}
            >
              {p.label}
            </Button>
          ))}
        </div>
        {steps.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: steps have no identity beyond their position.
          <div key={i} className="grid grid-cols-[1fr_1fr_auto_auto] items-end gap-2">
            <Field label={`Step ${i + 1} %`} htmlFor={`step-${i}-percent`} error={error(`steps.${i}.percent`)}>
              <Input
                id={`step-${i}-percent`}
                inputMode="decimal"
                value={s.percent}
                onChange={(e) => setStep(i, { percent: e.target.value })}
              />
            </Field>
            <Field label="Seconds" htmlFor={`step-${i}-seconds`} error={error(`steps.${i}.durationSeconds`)}>
              <Input
                id={`step-${i}-seconds`}
                inputMode="numeric"
                value={s.durationSeconds}
                onChange={(e) => setStep(i, { durationSeconds: e.target.value })}
              />
            </Field>
            <Checkbox
              className="mb-2 text-xs"
              label="pause"
              title="Wait for a person after this step"
              checked={s.pause}
              onChange={(e) => setStep(i, { pause: e.currentTarget.checked })}
            />
            <Button
              type="button"
              size="sm"
              variant="ghost"
              aria-label={`Remove step ${i + 1}`}
              disabled={steps.length === 1}
              onClick={() => setSteps((all) => all.filter((_, j) => j !== i))}
            >
              <X className="size-4" aria-hidden />
            </Button>
          </div>
        ))}
        <div className="flex flex-wrap items-center justify-between gap-2">
          <Button
            type="button"
            size="sm"
            variant="secondary"
            disabled={steps.length >= 20}
            onClick={() => setSteps((all) => [...all, { percent: "100", durationSeconds: "300", pause: false }])}
          >
            <Plus className="size-4" aria-hidden /> Add step
          </Button>
          <p className="text-muted-foreground text-xs">After the last passing step the label moves to the candidate.</p>
        </div>
        {error("steps") && !steps.some((_, i) => error(`steps.${i}`)) && (
          <p className="text-danger text-xs">{error("steps")}</p>
        )}
      </fieldset>

      <fieldset className="grid gap-4 sm:col-span-2 sm:grid-cols-3">
        <legend className="mb-1 font-medium text-sm">Analysis (each window, candidate vs stable)</legend>
        <Field label="Min samples per arm" htmlFor="rollout-min" error={error("analysis.minSamples")}>
          <Input
            id="rollout-min"
            inputMode="numeric"
            value={minSamples}
            onChange={(e) => setMinSamples(e.target.value)}
          />
        </Field>
        <Field label="Max error rate" htmlFor="rollout-errors" error={error("analysis.maxErrorRate")} hint="0..1">
          <Input
            id="rollout-errors"
            inputMode="decimal"
            value={maxErrorRate}
            onChange={(e) => setMaxErrorRate(e.target.value)}
          />
        </Field>
        <Field
          label="Max p95 ratio"
          htmlFor="rollout-ratio"
          error={error("analysis.maxLatencyP95Ratio")}
          hint="candidate / stable"
        >
          <Input
            id="rollout-ratio"
            inputMode="decimal"
            value={maxLatencyP95Ratio}
            onChange={(e) => setMaxLatencyP95Ratio(e.target.value)}
          />
        </Field>
        <Field label="Max p95 (ms)" htmlFor="rollout-p95" error={error("analysis.maxLatencyP95Ms")}>
          <Input
            id="rollout-p95"
            inputMode="numeric"
            value={maxLatencyP95Ms}
            onChange={(e) => setMaxLatencyP95Ms(e.target.value)}
          />
        </Field>
        <Field label="Max cost / request (USD)" htmlFor="rollout-cost" error={error("analysis.maxCostPerRequestUsd")}>
          <Input id="rollout-cost" inputMode="decimal" value={maxCost} onChange={(e) => setMaxCost(e.target.value)} />
        </Field>
        <div className="grid grid-cols-2 gap-2">
          <Field label="Feedback score" htmlFor="rollout-feedback" error={error("analysis.feedback.name")}>
            <Input
              id="rollout-feedback"
              placeholder="thumbs"
              value={feedbackName}
              onChange={(e) => setFeedbackName(e.target.value)}
            />
          </Field>
          <Field label="Min mean" htmlFor="rollout-feedback-min" error={error("analysis.feedback.minMean")}>
            <Input
              id="rollout-feedback-min"
              inputMode="decimal"
              value={feedbackMin}
              onChange={(e) => setFeedbackMin(e.target.value)}
            />
          </Field>
        </div>
      </fieldset>
      <Field
        label="Webhook (optional)"
        htmlFor="rollout-webhook"
        error={error("webhookUrl")}
        hint="POSTed JSON on a rollback or promotion"
        className="sm:col-span-2"
      >
        <Input
          id="rollout-webhook"
          placeholder="https://…"
          value={webhookUrl}
          onChange={(e) => setWebhookUrl(e.target.value)}
        />
      </Field>
      <FormError
        error={create.error}
        fields={["subjectId", "label", "candidateVersionId", "steps", "analysis", "webhookUrl"]}
      />
    </FormDialog>
  );
}
