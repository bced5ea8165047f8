"use client";

import { fieldError } from "@/components/providers/errors";
import { Field, Input, Select } from "@/components/ui";
import type { BudgetPeriod } from "@/server/auth/principal";

/** The form's text state for a key's limits ("" = no limit). */
export interface LimitsDraft {
  requestsPerMinute: string;
  tokensPerMinute: string;
  budgetUsd: string;
  budgetPeriod: "" | BudgetPeriod;
}

export const NO_LIMITS: LimitsDraft = { requestsPerMinute: "", tokensPerMinute: "", budgetUsd: "", budgetPeriod: "" };

export const LIMIT_FIELDS = ["requestsPerMinute", "tokensPerMinute", "budgetUsd", "budgetPeriod"];

export function draftOf(key: {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  budgetUsd: number | null;
  budgetPeriod: BudgetPeriod | null;
}): LimitsDraft {
  return {
    requestsPerMinute: key.requestsPerMinute?.toString() ?? "",
    tokensPerMinute: key.tokensPerMinute?.toString() ?? "",
    budgetUsd: key.budgetUsd?.toString() ?? "",
    budgetPeriod: key.budgetPeriod ?? "",
  };
}

/** The draft as the API takes it; the server validates (and names the field) — no second rule set here. */
export function limitsInput(draft: LimitsDraft) {
  const number = (text: string) => (text.trim() === "" ? null : Number(text));
  return {
    requestsPerMinute: number(draft.requestsPerMinute),
    tokensPerMinute: number(draft.tokensPerMinute),
    budgetUsd: number(draft.budgetUsd),
    budgetPeriod: draft.budgetPeriod === "" ? null : draft.budgetPeriod,
  };
}

export function KeyLimitsFields({
  draft,
  onChange,
  error,
  idPrefix,
}: {
  draft: LimitsDraft;
  onChange: (draft: LimitsDraft) => void;
  error: unknown;
  idPrefix: string;
}) {
  const set = (field: keyof LimitsDraft) => (e: { target: { value: string } }) =>
    onChange({ ...draft, [field]: e.target.value });
  return (
    <fieldset className="flex flex-col gap-3">
      <legend className="mb-1 font-medium text-sm">Limits</legend>
      <p className="-mt-1 text-muted-foreground text-xs">
        Enforced by the gateway across all replicas; leave empty for no limit. Changes apply within 15 seconds.
      </p>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Requests per minute" htmlFor={`${idPrefix}-rpm`} error={fieldError(error, "requestsPerMinute")}>
          <Input
            id={`${idPrefix}-rpm`}
            inputMode="numeric"
            placeholder="Unlimited"
            value={draft.requestsPerMinute}
            onChange={set("requestsPerMinute")}
          />
        </Field>
        <Field
          label="Tokens per minute"
          htmlFor={`${idPrefix}-tpm`}
          error={fieldError(error, "tokensPerMinute")}
          hint="Counted after each answer: one request may overshoot."
        >
          <Input
            id={`${idPrefix}-tpm`}
            inputMode="numeric"
            placeholder="Unlimited"
            value={draft.tokensPerMinute}
            onChange={set("tokensPerMinute")}
          />
        </Field>
        <Field label="Budget (USD)" htmlFor={`${idPrefix}-budget`} error={fieldError(error, "budgetUsd")}>
          <Input
            id={`${idPrefix}-budget`}
            inputMode="decimal"
            placeholder="No budget"
            value={draft.budgetUsd}
            onChange={set("budgetUsd")}
          />
        </Field>
        <Field label="Budget period (UTC)" htmlFor={`${idPrefix}-period`} error={fieldError(error, "budgetPeriod")}>
          <Select id={`${idPrefix}-period`} value={draft.budgetPeriod} onChange={set("budgetPeriod")}>
            <option value="">—</option>
            <option value="day">Per day</option>
            <option value="week">Per week (from Monday)</option>
            <option value="month">Per month</option>
          </Select>
        </Field>
      </div>
    </fieldset>
  );
}
