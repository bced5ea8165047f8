"use client";

import { useMutation } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Badge, Button, Checkbox, Field, FormDialog, Input, Select, Textarea } from "@/components/ui";
import { createEvaluatorInput, createEvaluatorVersionInput } from "@/lib/evals/evaluator-inputs";
import {
  DEFAULT_THRESHOLDS,
  EVALUATOR_TYPE_LABELS,
  EVALUATOR_TYPES,
  type EvaluatorType,
  EXAMPLE_CONFIGS,
} from "@/lib/evals/evaluators";
import { ConfigFields, INVALID_JSON } from "./config-fields";

type Evaluator = RouterOutputs["evaluators"]["list"][number];

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Editing saves a new version of this evaluator; without it the dialog creates one. */
  evaluator?: Evaluator | null;
  /** A signing secret the save generated (HTTP evaluators): the caller shows it once. */
  onSecret?: (secret: string) => void;
}

/** Create an evaluator, or save a new version of one: type picker, per-type fields checked live, and "Try it". */
export function EvaluatorDialog({ open, onOpenChange, evaluator, onSecret }: Props) {
  const trpc = useTRPC();
  const latest = evaluator?.latest ?? null;
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [type, setType] = useState<EvaluatorType>(latest?.type ?? "exact");
  const [config, setConfig] = useState<Record<string, unknown>>(latest?.config ?? EXAMPLE_CONFIGS.exact);
  const [jsonDrafts, setJsonDrafts] = useState<Record<string, string>>({});
  const [threshold, setThreshold] = useState(latest?.threshold == null ? "" : String(latest.threshold));
  const [negate, setNegate] = useState(latest?.negate ?? false);
  const [secret, setSecret] = useState("");

  const definition = useMemo(
    () => ({
      type,
      config,
      threshold: threshold.trim() === "" ? null : Number(threshold),
      negate,
      ...(secret ? { secret } : {}),
    }),
    [type, config, threshold, negate, secret],
  );
  const draft = useMemo(
    () => (evaluator ? { evaluatorId: evaluator.id, ...definition } : { name, description, ...definition }),
    [evaluator, name, description, definition],
  );
  const v = useLiveValidation(evaluator ? createEvaluatorVersionInput : createEvaluatorInput, draft);
  const invalidJson = Object.entries(config).find(([, value]) => value === INVALID_JSON)?.[0];

  const save = useFormMutation(
    (evaluator ? trpc.evaluators.createVersion : trpc.evaluators.create).mutationOptions() as ReturnType<
      typeof trpc.evaluators.create.mutationOptions
    >,
    {
      onClose: () => onOpenChange(false),
      success: (saved) => `Saved ${evaluator?.name ?? name} v${saved.version.version}`,
      invalidate: [trpc.evaluators.list.queryKey()],
      onDone: (saved) => saved.secret && onSecret?.(saved.secret),
    },
  );
  const error = (field: string) =>
    (invalidJson && field === `config.${invalidJson}` ? "Not valid JSON" : undefined) ??
    v.error(field) ??
    save.fieldError(field);

  const pickType = (next: EvaluatorType) => {
    setType(next);
    setConfig(latest?.type === next ? latest.config : EXAMPLE_CONFIGS[next]);
    setJsonDrafts({});
  };

  return (
    <FormDialog
      open={open}
      {...save.formDialog}
      title={evaluator ? `New version of ${evaluator.name}` : "New evaluator"}
      description={
        evaluator
          ? `Versions are immutable: this saves v${(latest?.version ?? 0) + 1}. Saving what v${latest?.version} already is changes nothing.`
          : "Scores an answer 0..1 with a reason; passes at or above its threshold."
      }
      className="max-w-3xl"
      submitLabel={evaluator ? "Save version" : "Create evaluator"}
      onSubmit={() => (v.valid && !invalidJson ? save.submit(draft as never) : v.showAll())}
      formClassName="grid gap-4 sm:grid-cols-2"
    >
      {!evaluator && (
        <>
          <Field label="Name" htmlFor="evaluator-name" error={error("name")}>
            <Input id="evaluator-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
          </Field>
          <Field label="Description" htmlFor="evaluator-description" error={error("description")}>
            <Input id="evaluator-description" value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
        </>
      )}
      <Field
        label="Type"
        htmlFor="evaluator-type"
        hint={EVALUATOR_TYPE_LABELS[type].description}
        className="sm:col-span-2"
      >
        <Select id="evaluator-type" value={type} onChange={(e) => pickType(e.target.value as EvaluatorType)}>
          {EVALUATOR_TYPES.map((t) => (
            <option key={t} value={t}>
              {EVALUATOR_TYPE_LABELS[t].title}
            </option>
          ))}
        </Select>
      </Field>
      <ConfigFields
        type={type}
        config={config}
        jsonDrafts={jsonDrafts}
        error={error}
        onChange={(key, value, text) => {
          setConfig((c) => {
            const next = { ...c };
            if (value === undefined) delete next[key];
            else next[key] = value;
            return next;
          });
          if (text !== undefined) setJsonDrafts((d) => ({ ...d, [key]: text }));
        }}
      />
      <Field
        label="Threshold"
        htmlFor="evaluator-threshold"
        error={error("threshold")}
        hint={`0..1; empty: the type's default (${DEFAULT_THRESHOLDS[type]})`}
      >
        <Input
          id="evaluator-threshold"
          inputMode="decimal"
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
        />
      </Field>
      <div className="flex items-end pb-2">
        <Checkbox
          label="Negate"
          description="Score becomes 1 − score and pass becomes fail (“does not contain”)"
          checked={negate}
          onChange={(e) => setNegate(e.target.checked)}
        />
      </div>
      {type === "http" && (
        <Field
          label="Signing secret"
          htmlFor="evaluator-secret"
          error={error("secret")}
          className="sm:col-span-2"
          hint={
            evaluator?.hasSecret
              ? "Set: leave empty to keep it, or give a new one to replace it"
              : "Leave empty to have one generated (shown once)"
          }
        >
          <Input
            id="evaluator-secret"
            type="password"
            autoComplete="off"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
          />
        </Field>
      )}
      <FormError
        error={save.error}
        fields={["name", "description", "threshold", "secret", "config"]}
        className="sm:col-span-2"
      />
      <TryIt definition={definition} evaluatorId={evaluator?.id} disabled={!v.valid || Boolean(invalidJson)} />
    </FormDialog>
  );
}

/** Scores one sample with the definition as it stands (unsaved), so a config can be checked before saving. */
function TryIt({
  definition,
  evaluatorId,
  disabled,
}: {
  definition: { type: EvaluatorType; config: Record<string, unknown>; threshold: number | null; negate: boolean };
  evaluatorId?: string;
  disabled: boolean;
}) {
  const trpc = useTRPC();
  const [input, setInput] = useState("");
  const [output, setOutput] = useState("");
  const [expected, setExpected] = useState("");
  const attempt = useMutation(trpc.evaluators.try.mutationOptions());
  const result = attempt.data;
  const run = () =>
    attempt.mutate({
      type: definition.type,
      config: definition.config,
      threshold: definition.threshold,
      negate: definition.negate,
      ...(evaluatorId ? { evaluatorId } : {}),
      input,
      output,
      ...(expected ? { expected } : {}),
    });
  return (
    <fieldset className="flex flex-col gap-3 rounded-md border border-border p-3 sm:col-span-2">
      <legend className="px-1 font-medium text-sm">Try it</legend>
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Input" htmlFor="try-input">
          <Textarea id="try-input" rows={3} value={input} onChange={(e) => setInput(e.target.value)} />
        </Field>
        <Field label="Output" htmlFor="try-output">
          <Textarea id="try-output" rows={3} value={output} onChange={(e) => setOutput(e.target.value)} />
        </Field>
        <Field label="Expected" htmlFor="try-expected">
          <Textarea id="try-expected" rows={3} value={expected} onChange={(e) => setExpected(e.target.value)} />
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="button" variant="secondary" onClick={run} loading={attempt.isPending} disabled={disabled}>
          Score it
        </Button>
        <output aria-live="polite" className="flex flex-wrap items-center gap-2 text-sm">
          {attempt.error ? (
            <span className="text-danger">{attempt.error.message}</span>
          ) : result ? (
            <>
              <Badge tone={result.passed ? "success" : "danger"}>{result.passed ? "passed" : "failed"}</Badge>
              <span className="font-mono">score {result.score.toFixed(3)}</span>
              <span className="text-muted-foreground">{result.reason}</span>
              {result.costUsd > 0 && <span className="text-muted-foreground">${result.costUsd.toFixed(6)}</span>}
            </>
          ) : disabled ? (
            <span className="text-muted-foreground">Fix the fields above to try it.</span>
          ) : null}
        </output>
      </div>
    </fieldset>
  );
}
