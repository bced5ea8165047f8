"use client";

import { TriangleAlert } from "lucide-react";
import { useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { Checkbox, Field, FormDialog, Select, Textarea } from "@/components/ui";
import { decisionRisks } from "@/lib/experiments/decision";

type Experiment = RouterOutputs["experiments"]["get"];
type Results = RouterOutputs["experiments"]["results"];

/** The select's value for "no winner: the control stays". */
const NO_WINNER = "__none__";

/**
 * The decision: nothing is chosen for the person (no default winner, no pre-checked promotion), and a
 * winner the data does not back (same rule as the server: lib/experiments/decision.ts) needs an explicit
 * acknowledgement before Conclude is enabled.
 */
export function ConcludeDialog({
  experiment,
  results,
  open,
  onOpenChange,
}: {
  experiment: Experiment;
  results: Results | undefined;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const [choice, setChoice] = useState("");
  const [reason, setReason] = useState("");
  const [promote, setPromote] = useState(false);
  const [acknowledged, setAcknowledged] = useState(false);
  const winnerKey = choice === NO_WINNER ? null : choice;
  const winnerVariant = experiment.variants.find((v) => v.key === winnerKey);
  const canPromote = !!experiment.promptId && !!winnerVariant?.promptVersion;
  const risks =
    choice && results
      ? decisionRisks({
          results,
          winnerKey,
          plannedUnitsPerArm: experiment.plannedUnitsPerArm,
          sequential: experiment.sequential,
        })
      : [];
  const conclude = useFormMutation(trpc.experiments.conclude.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: (_, input) =>
      input.promote ? `${input.winnerKey} promoted to ${experiment.promoteLabel}` : "Experiment concluded",
    invalidate: [trpc.experiments.get.queryKey({ id: experiment.id })],
  });
  const blocked = !choice ? "Choose the outcome first" : risks.length && !acknowledged ? "Acknowledge the warning" : "";
  return (
    <FormDialog
      open={open}
      {...conclude.formDialog}
      title="Conclude experiment"
      description="Records the decision and stops assignment. Promotion moves the label in the same transaction."
      submitLabel="Conclude"
      submitDisabled={!!blocked}
      formClassName="flex flex-col gap-3"
      onSubmit={() =>
        conclude.submit({
          experimentId: experiment.id,
          winnerKey,
          reason,
          promote: canPromote && promote,
          acknowledgeNotSignificant: risks.length > 0 && acknowledged,
        })
      }
    >
      <Field label="Outcome" htmlFor="winner" error={conclude.fieldError("winnerKey")}>
        <Select
          id="winner"
          value={choice}
          onChange={(e) => {
            setChoice(e.target.value);
            setAcknowledged(false);
            setPromote(false);
          }}
        >
          <option value="" disabled>
            Choose the outcome…
          </option>
          <option value={NO_WINNER}>No winner: keep the control</option>
          {experiment.variants.map((v) => (
            <option key={v.key} value={v.key}>
              {v.key} wins{v.isControl ? " (control)" : ""}
              {v.promptVersion ? ` · prompt v${v.promptVersion}` : ""}
            </option>
          ))}
        </Select>
      </Field>
      {risks.length > 0 && (
        <div role="alert" className="flex flex-col gap-2 rounded-md border border-warning bg-warning-soft p-3 text-sm">
          <p className="flex items-center gap-2 font-medium text-warning">
            <TriangleAlert className="size-4 shrink-0" aria-hidden /> The data does not back {winnerKey} as the winner
          </p>
          <ul className="list-disc pl-5 text-foreground">
            {risks.map((r) => (
              <li key={r.code}>{r.message}</li>
            ))}
          </ul>
          <Checkbox
            label="I understand the result is not conclusive and conclude anyway"
            description="Recorded with the decision."
            checked={acknowledged}
            onChange={(e) => setAcknowledged(e.target.checked)}
          />
        </div>
      )}
      <Field label="Reason" htmlFor="conclude-reason" error={conclude.fieldError("reason")}>
        <Textarea id="conclude-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Field>
      {canPromote && (
        <Checkbox
          label={`Promote: move '${experiment.promoteLabel}' of ${experiment.promptName} to v${winnerVariant?.promptVersion}`}
          checked={promote}
          onChange={(e) => setPromote(e.target.checked)}
        />
      )}
      {blocked && <p className="text-muted-foreground text-xs">{blocked} to enable Conclude.</p>}
      <FormError error={conclude.error} fields={["winnerKey", "reason"]} />
    </FormDialog>
  );
}
