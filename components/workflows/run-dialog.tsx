"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { Checkbox, Field, FormDialog, Input, toast } from "@/components/ui";

type Inputs = RouterOutputs["workflows"]["get"]["inputs"];

/** "Run" with a form for the latest version's inputs (defaults filled in); opens the run's page. */
export function RunDialog({
  open,
  onOpenChange,
  projectId,
  workflowId,
  inputs,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  projectId: string;
  workflowId: string;
  inputs: Inputs;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [values, setValues] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(
      Object.entries(inputs).map(([name, spec]) => [
        name,
        spec.type === "boolean" ? spec.default === true : spec.default === undefined ? "" : String(spec.default),
      ]),
    ),
  );
  const [error, setError] = useState<string | null>(null);
  const run = useMutation(
    trpc.workflows.run.mutationOptions({
      onSuccess: (r) => {
        toast.success(`Started run of ${r.workflowName} v${r.version}`);
        onOpenChange(false);
        router.push(`/projects/${projectId}/workflows/runs/${r.id}`);
      },
      onError: (e) => setError(e.message),
    }),
  );
  const submit = () => {
    const given: Record<string, string | number | boolean> = {};
    for (const [name, spec] of Object.entries(inputs)) {
      const v = values[name];
      if (spec.type === "boolean") given[name] = Boolean(v);
      else if (v !== "") given[name] = spec.type === "number" ? Number(v) : String(v);
    }
    setError(null);
    run.mutate({ workflowId, inputs: given });
  };
  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Run workflow"
      description="Runs the latest saved version with these inputs."
      submitLabel="Run"
      pending={run.isPending}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {Object.keys(inputs).length === 0 && (
        <p className="text-muted-foreground text-sm">This workflow has no inputs.</p>
      )}
      {Object.entries(inputs).map(([name, spec]) =>
        spec.type === "boolean" ? (
          <Checkbox
            key={name}
            label={name}
            description={spec.description}
            checked={Boolean(values[name])}
            onChange={(e) => setValues({ ...values, [name]: e.target.checked })}
          />
        ) : (
          <Field key={name} label={name} htmlFor={`input-${name}`} hint={spec.description} required={spec.required}>
            <Input
              id={`input-${name}`}
              type={spec.type === "number" ? "number" : "text"}
              value={String(values[name] ?? "")}
              onChange={(e) => setValues({ ...values, [name]: e.target.value })}
            />
          </Field>
        ),
      )}
      {error && <p className="text-danger text-sm">{error}</p>}
    </FormDialog>
  );
}
