"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { Button, Checkbox, Dialog, Field, Select, Textarea, toast } from "@/components/ui";

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
  const queryClient = useQueryClient();
  const [winner, setWinner] = useState(experiment.variants[0]?.key ?? "");
  const [reason, setReason] = useState("");
  const winnerVariant = experiment.variants.find((v) => v.key === winner);
  const canPromote = !!experiment.promptId && !!winnerVariant?.promptVersion;
  const [promote, setPromote] = useState(true);
  const conclude = useMutation(trpc.experiments.conclude.mutationOptions());
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Conclude experiment"
      description="Records the decision and stops assignment. Promotion moves the label in the same transaction."
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button
            loading={conclude.isPending}
            onClick={async () => {
              try {
                await conclude.mutateAsync({
                  experimentId: experiment.id,
                  winnerKey: winner,
                  reason,
                  promote: canPromote && promote,
                });
                toast.success(
                  canPromote && promote ? `${winner} promoted to ${experiment.promoteLabel}` : "Experiment concluded",
                );
                await queryClient.invalidateQueries({ queryKey: trpc.experiments.get.queryKey({ id: experiment.id }) });
                onOpenChange(false);
              } catch {
                // shown below
              }
            }}
          >
            Conclude
          </Button>
        </>
      }
    >
      <div className="flex flex-col gap-3">
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
      </div>
    </Dialog>
  );
}
