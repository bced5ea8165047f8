"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import {
  draftOf,
  KeyLimitsFields,
  LIMIT_FIELDS,
  type LimitsDraft,
  limitsInput,
  NO_LIMITS,
} from "@/components/settings/key-limits-fields";
import { Button, Dialog, toast } from "@/components/ui";
import type { BudgetPeriod } from "@/server/auth/principal";

export interface LimitedKey {
  id: string;
  name: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  budgetUsd: number | null;
  budgetPeriod: BudgetPeriod | null;
}

/** Edits one key's limits and budget (all replaced at once; empty = unlimited). */
export function KeyLimitsDialog({ apiKey, onClose }: { apiKey: LimitedKey | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<LimitsDraft>(NO_LIMITS);
  const update = useMutation(
    trpc.apiKeys.updateLimits.mutationOptions({
      onSuccess: (key) => {
        toast.success(`Saved the limits of ${key.name}`);
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.usage.queryKey() });
        close();
      },
    }),
  );
  useEffect(() => {
    if (apiKey) setDraft(draftOf(apiKey));
  }, [apiKey]);
  const close = () => {
    update.reset();
    onClose();
  };
  return (
    <Dialog
      open={apiKey !== null}
      onOpenChange={(o) => !o && close()}
      title={`Limits of "${apiKey?.name ?? ""}"`}
      description="Requests over a limit get 429 with retry-after. Counters are shared by every gateway replica."
      className="max-w-xl"
      footer={
        <>
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" form="key-limits" loading={update.isPending}>
            Save limits
          </Button>
        </>
      }
    >
      <form
        id="key-limits"
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (apiKey) update.mutate({ id: apiKey.id, ...limitsInput(draft) });
        }}
      >
        <KeyLimitsFields draft={draft} onChange={setDraft} error={update.error} idPrefix="edit-key" />
        <FormError error={update.error} fields={LIMIT_FIELDS} />
      </form>
    </Dialog>
  );
}
