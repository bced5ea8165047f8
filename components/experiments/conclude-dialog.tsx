"use client";

import { useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { Checkbox, Field, FormDialog, Select, Textarea } from "@/components/ui";

type Experiment = RouterOutputs["experiments"]["get"];

export function ConcludeDialog({
  experiment,
  open,
  onOpenChange,
}: {
  experiment: Experiment;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const [winner, setWinner] = useState(experiment.variants[0]?.key ?? "");
  const [reason, setReason] = useState("");
  const winnerVariant = experiment.variants.find((v) => v.key === winner);
  const canPromote = !!experiment.promptId && !!winnerVariant?.promptVersion;
  const [promote, setPromote] = useState(true);
  const conclude = useFormMutation(trpc.experiments.conclude.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: (_, input) =>
      input.promote ? `${input.winnerKey} promoted to ${experiment.promoteLabel}` : "Experiment concluded",
    invalidate: [trpc.experiments.get.queryKey({ id: experiment.id })],
  });
  return (
    <FormDialog
      open={open}
      {...conclude.formDialog}
      title="Conclude experiment"
      description="Records the decision and stops assignment. Promotion moves the label in the same transaction."
      submitLabel="Conclude"
      formClassName="flex flex-col gap-3"
      onSubmit={() =>
        conclude.submit({ experimentId: experiment.id, winnerKey: winner, reason, promote: canPromote && promote })
      }
    >
      <Field label="Winner" htmlFor="winner">
        <Select id="winner" value={winner} onChange={(e) => setWinner(e.target.value)}>
          {experiment.variants.map((v) => (
            <option key={v.key} value={v.key}>
              {v.key}
              {v.promptVersion ? ` (prompt v${v.promptVersion})` : ""}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Reason" htmlFor="conclude-reason">
        <Textarea id="conclude-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Field>
      {canPromote && (
        <Checkbox
          label={`Promote: move '${experiment.promoteLabel}' of ${experiment.promptName} to v${winnerVariant?.promptVersion}`}
          checked={promote}
          onChange={(e) => setPromote(e.target.checked)}
        />
      )}
      <FormError error={conclude.error} fields={[]} />
    </FormDialog>
  );
}
