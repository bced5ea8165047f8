"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Field, FormDialog, Input, Select } from "@/components/ui";
import { createOnlineRuleSchema } from "@/lib/evals/online";

const PATHS = ["/v1/chat/completions", "/v1/completions", "/v1/messages", "/v1/responses"] as const;

/** A new rule: a name, an evaluator (its newest version), the share of matching traffic to score, and a filter. */
export function CreateOnlineRuleDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [evaluatorVersionId, setEvaluatorVersionId] = useState("");
  const [percent, setPercent] = useState(10);
  const [model, setModel] = useState("");
  const [path, setPath] = useState("");
  const evaluators = useQuery({ ...trpc.onlineEvals.evaluators.queryOptions({}), enabled: open });

  const draft = useMemo(
    () => ({
      name,
      ...(evaluatorVersionId ? { evaluatorVersionId } : {}),
      sampleRate: percent / 100,
      filter: { ...(model.trim() ? { model: model.trim() } : {}), ...(path ? { path } : {}) },
    }),
    [name, evaluatorVersionId, percent, model, path],
  );
  const v = useLiveValidation(createOnlineRuleSchema, draft);
  const create = useFormMutation(trpc.onlineEvals.create.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: (_, input) => `Rule ${input.name} scores ${Math.round(input.sampleRate * 100)} % of matching requests`,
    invalidate: [trpc.onlineEvals.list.queryKey(), trpc.onlineEvals.stats.pathKey()],
  });
  const error = (field: string) => v.error(field) ?? create.fieldError(field);
  const choices = evaluators.data?.items ?? [];

  return (
    <FormDialog
      open={open}
      {...create.formDialog}
      title="New online evaluation rule"
      description="A share of live gateway traffic, scored in the background by an evaluator. Scores appear on the monitoring page and can be an experiment's metric."
      className="max-w-xl"
      submitLabel="Create rule"
      onSubmit={() => (v.valid ? create.submit(draft as never) : v.showAll())}
    >
      <Field label="Name" htmlFor="rule-name" error={error("name")} required>
        <Input id="rule-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
      </Field>
      <Field
        label="Evaluator"
        htmlFor="rule-evaluator"
        error={error("evaluatorVersionId")}
        hint={
          choices.length === 0 && !evaluators.isLoading
            ? "This project has no evaluators yet: create one first (Evaluations, or REST)"
            : "Its newest version scores the answers"
        }
        required
      >
        <Select id="rule-evaluator" value={evaluatorVersionId} onChange={(e) => setEvaluatorVersionId(e.target.value)}>
          <option value="">{evaluators.isLoading ? "Loading…" : "Choose an evaluator…"}</option>
          {choices.map((e) => (
            <option key={e.evaluatorVersionId} value={e.evaluatorVersionId}>
              {e.name} v{e.version} ({e.type})
            </option>
          ))}
        </Select>
      </Field>
      <Field
        label={`Sample rate: ${percent} %`}
        htmlFor="rule-rate"
        error={error("sampleRate")}
        hint="Each request is picked by a hash of its id, so every replica picks the same ones"
      >
        <input
          id="rule-rate"
          type="range"
          min={0}
          max={100}
          step={1}
          value={percent}
          onChange={(e) => setPercent(Number(e.target.value))}
          className="w-full accent-primary"
        />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Model (optional)" htmlFor="rule-model" error={error("filter.model")} hint="e.g. support-bot">
          <Input id="rule-model" value={model} onChange={(e) => setModel(e.target.value)} />
        </Field>
        <Field label="Endpoint (optional)" htmlFor="rule-path" error={error("filter.path")}>
          <Select id="rule-path" value={path} onChange={(e) => setPath(e.target.value)}>
            <option value="">Every endpoint</option>
            {PATHS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </Select>
        </Field>
      </div>
    </FormDialog>
  );
}
