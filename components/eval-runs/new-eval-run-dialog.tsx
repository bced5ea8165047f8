"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Checkbox, Field, FormDialog, Input, Select, Textarea } from "@/components/ui";
import { expandMatrix, parseParamSets } from "@/lib/evals/matrix";
import { createEvalRunSchema, type EvalRunOptions } from "@/lib/evals/runs";

const toggle = (list: string[], value: string) =>
  list.includes(value) ? list.filter((v) => v !== value) : [...list, value];

/** A number field's value: blank = not given. */
const numberOrUndefined = (text: string) => (text.trim() === "" ? undefined : Number(text));

function CheckList({
  legend,
  items,
  chosen,
  onToggle,
  empty,
  error,
}: {
  legend: string;
  items: { value: string; label: string; description?: string }[];
  chosen: string[];
  onToggle: (value: string) => void;
  empty: string;
  error?: string | null;
}) {
  return (
    <fieldset className="flex min-w-0 flex-col gap-1.5">
      <legend className="mb-1.5 font-medium text-sm">{legend}</legend>
      <div className="flex max-h-40 flex-col gap-1.5 overflow-y-auto rounded-md border border-border p-2">
        {items.length === 0 ? <span className="text-muted-foreground text-xs">{empty}</span> : null}
        {items.map((item) => (
          <Checkbox
            key={item.value}
            label={item.label}
            description={item.description}
            checked={chosen.includes(item.value)}
            onChange={() => onToggle(item.value)}
          />
        ))}
      </div>
      {error ? (
        <span role="alert" className="text-danger text-xs">
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}

function targetLabel(options: EvalRunOptions | undefined, t: ReturnType<typeof expandMatrix>[number]) {
  const prompt = options?.promptVersions.find((p) => p.id === t.promptVersionId);
  const model = options?.modelVersions.find((m) => m.id === t.modelVersionId);
  const params = Object.keys(t.params ?? {}).length ? JSON.stringify(t.params) : null;
  return [prompt && `${prompt.prompt} v${prompt.version}`, model && `${model.model} v${model.version}`, params]
    .filter(Boolean)
    .join(" · ");
}

export function NewEvalRunDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { projectId } = useParams<{ projectId: string }>();
  const options = useQuery({ ...trpc.evalRuns.options.queryOptions(), enabled: open });
  const [name, setName] = useState("");
  const [datasetVersionId, setDatasetVersionId] = useState("");
  const [promptVersionIds, setPromptVersionIds] = useState<string[]>([]);
  const [modelVersionIds, setModelVersionIds] = useState<string[]>([]);
  const [paramsText, setParamsText] = useState("");
  const [evaluators, setEvaluators] = useState<string[]>([]);
  const [trials, setTrials] = useState("1");
  const [concurrency, setConcurrency] = useState("8");
  const [budget, setBudget] = useState("");
  const [caseLimit, setCaseLimit] = useState("");

  const params = useMemo(() => parseParamSets(paramsText), [paramsText]);
  const targets = useMemo(
    () => expandMatrix({ promptVersionIds, modelVersionIds, paramSets: params.sets }),
    [promptVersionIds, modelVersionIds, params.sets],
  );
  const draft = useMemo(
    () => ({
      name,
      datasetVersionId,
      targets,
      evaluators: evaluators.map((n) => ({ name: n })),
      trials: numberOrUndefined(trials),
      concurrency: numberOrUndefined(concurrency),
      budgetUsd: numberOrUndefined(budget),
      caseLimit: numberOrUndefined(caseLimit),
    }),
    [name, datasetVersionId, targets, evaluators, trials, concurrency, budget, caseLimit],
  );
  const v = useLiveValidation(createEvalRunSchema, draft);
  const create = useFormMutation(trpc.evalRuns.create.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: () => "Eval run started",
    invalidate: [trpc.evalRuns.list.queryKey()],
    onDone: (created) => router.push(`/projects/${projectId}/evals/${created.id}`),
  });
  const error = (field: string) => v.error(field) ?? create.fieldError(field);
  const data = options.data;

  return (
    <FormDialog
      open={open}
      {...create.formDialog}
      title="New eval run"
      description="Every case of the dataset version goes to every target (prompt versions × model versions × parameter sets) and is scored by the evaluators."
      className="max-w-3xl"
      submitLabel="Start run"
      onSubmit={() => (v.valid && !params.error ? create.submit(draft) : v.showAll())}
      formClassName="grid gap-4 sm:grid-cols-2"
    >
      <Field label="Name" htmlFor="eval-name" error={error("name")} hint="Optional, e.g. “support v4 vs v3”">
        <Input id="eval-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
      </Field>
      <Field label="Dataset version" htmlFor="eval-dataset" error={error("datasetVersionId")} required>
        <Select id="eval-dataset" value={datasetVersionId} onChange={(e) => setDatasetVersionId(e.target.value)}>
          <option value="">Choose a version…</option>
          {data?.datasetVersions.map((d) => (
            <option key={d.id} value={d.id}>
              {d.dataset} v{d.version} ({d.exampleCount} cases)
            </option>
          ))}
        </Select>
      </Field>
      <CheckList
        legend="Prompt versions"
        items={(data?.promptVersions ?? []).map((p) => ({
          value: p.id,
          label: `${p.prompt} v${p.version}`,
          description: p.model ? `its model: ${p.model}` : "names no model",
        }))}
        chosen={promptVersionIds}
        onToggle={(id) => setPromptVersionIds((l) => toggle(l, id))}
        empty="No prompts in this project"
      />
      <CheckList
        legend="Model versions"
        items={(data?.modelVersions ?? []).map((m) => ({ value: m.id, label: `${m.model} v${m.version}` }))}
        chosen={modelVersionIds}
        onToggle={(id) => setModelVersionIds((l) => toggle(l, id))}
        empty="No models in this project"
      />
      <Field
        label="Parameter sets"
        htmlFor="eval-params"
        error={params.error}
        hint='One JSON object per line, e.g. {"temperature": 0}; blank: the targets’ own defaults'
        className="sm:col-span-2"
      >
        <Textarea
          id="eval-params"
          className="font-mono"
          rows={2}
          value={paramsText}
          placeholder='{"temperature": 0}'
          onChange={(e) => setParamsText(e.target.value)}
        />
      </Field>
      <output className="text-sm sm:col-span-2" aria-live="polite" aria-label="Targets">
        {targets.length === 0 ? (
          <span className={error("targets") ? "text-danger" : "text-muted-foreground"}>
            Choose prompt versions, model versions or both: each combination (with each parameter set) is a target.
          </span>
        ) : (
          <>
            <span className="font-medium">
              {targets.length} target{targets.length === 1 ? "" : "s"}
            </span>
            {error("targets") ? <span className="text-danger"> — {error("targets")}</span> : null}
            <ul className="mt-1 list-inside list-disc text-muted-foreground text-xs">
              {targets.slice(0, 8).map((t, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the list is a preview, rebuilt as a whole.
                <li key={i}>{targetLabel(data, t)}</li>
              ))}
              {targets.length > 8 ? <li>… and {targets.length - 8} more</li> : null}
            </ul>
          </>
        )}
      </output>
      <CheckList
        legend="Evaluators"
        items={(data?.evaluators ?? []).map((e) => ({
          value: e.name,
          label: e.name,
          description: `${e.type} · v${e.version}`,
        }))}
        chosen={evaluators}
        onToggle={(n) => setEvaluators((l) => toggle(l, n))}
        empty="No evaluators yet: create one first"
        error={error("evaluators")}
      />
      <div className="grid grid-cols-2 gap-3">
        <Field label="Trials per case" htmlFor="eval-trials" error={error("trials")}>
          <Input id="eval-trials" inputMode="numeric" value={trials} onChange={(e) => setTrials(e.target.value)} />
        </Field>
        <Field label="Calls at once" htmlFor="eval-concurrency" error={error("concurrency")}>
          <Input
            id="eval-concurrency"
            inputMode="numeric"
            value={concurrency}
            onChange={(e) => setConcurrency(e.target.value)}
          />
        </Field>
        <Field label="Budget (USD)" htmlFor="eval-budget" error={error("budgetUsd")} hint="Stops the run when spent">
          <Input
            id="eval-budget"
            inputMode="decimal"
            value={budget}
            placeholder="none"
            onChange={(e) => setBudget(e.target.value)}
          />
        </Field>
        <Field label="First N cases" htmlFor="eval-limit" error={error("caseLimit")} hint="Blank: all">
          <Input
            id="eval-limit"
            inputMode="numeric"
            value={caseLimit}
            placeholder="all"
            onChange={(e) => setCaseLimit(e.target.value)}
          />
        </Field>
      </div>
      <FormError
        error={create.error}
        fields={[
          "name",
          "datasetVersionId",
          "targets",
          "evaluators",
          "trials",
          "concurrency",
          "budgetUsd",
          "caseLimit",
        ]}
      />
    </FormDialog>
  );
}
