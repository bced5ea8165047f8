"use client";

import { useEffect, useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import {
  draftOf,
  KeyLimitsFields,
  LIMIT_FIELDS,
  type LimitsDraft,
  limitsInput,
  NO_LIMITS,
} from "@/components/settings/key-limits-fields";
import { FormDialog } from "@/components/ui";
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
  const [draft, setDraft] = useState<LimitsDraft>(NO_LIMITS);
  const update = useFormMutation(trpc.apiKeys.updateLimits.mutationOptions(), {
    onClose,
    success: (key) => `Saved the limits of ${key.name}`,
    invalidate: [trpc.apiKeys.list.queryKey(), trpc.apiKeys.usage.queryKey()],
  });
  useEffect(() => {
    if (apiKey) setDraft(draftOf(apiKey));
  }, [apiKey]);
  return (
    <FormDialog
      open={apiKey !== null}
      {...update.formDialog}
      title={`Limits of "${apiKey?.name ?? ""}"`}
      description="Requests over a limit get 429 with retry-after. Counters are shared by every gateway replica."
      className="max-w-xl"
      submitLabel="Save limits"
      onSubmit={() => apiKey && update.submit({ id: apiKey.id, ...limitsInput(draft) })}
    >
      <KeyLimitsFields draft={draft} onChange={setDraft} error={update.error} idPrefix="edit-key" />
      <FormError error={update.error} fields={LIMIT_FIELDS} />
    </FormDialog>
  );
}
