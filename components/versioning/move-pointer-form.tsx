"use client";

import { useState } from "react";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { Button, Card, CardContent, Field, Input, Select, toast } from "@/components/ui";

/** How a release policy's refusal begins (server/modules/releases/enforce.ts). */
const RELEASE_REFUSAL = /is guarded by a release policy/;

/**
 * The "point a name at a version" form shared by model aliases and prompt labels.
 * `field` is both the visible noun ("Alias") lowercased for ids and the name of the
 * mutation's input key, so server-side field errors land under the right input.
 */
export function MovePointerForm({
  field,
  heading,
  versions,
  suggestions,
  error,
  pending,
  mayOverride = false,
  onMove,
}: {
  field: "alias" | "label";
  heading: string;
  versions: { id: string; version: number }[];
  /** Offered in the name's datalist; duplicates are dropped. */
  suggestions: string[];
  error: unknown;
  pending: boolean;
  /** The user may override a release policy's refusal (owners and admins: `releases:write`). */
  mayOverride?: boolean;
  /** Throws on failure; the error is shown from `error`. `override`: move despite a release policy. */
  onMove: (name: string, version: number, reason: string, override?: boolean) => Promise<unknown>;
}) {
  const [form, setForm] = useState({
    name: "production",
    version: String(versions[0]?.version ?? ""),
    reason: "",
  });
  const label = field === "alias" ? "Alias" : "Label";
  const refusedByPolicy = RELEASE_REFUSAL.test((error as { message?: string } | null)?.message ?? "");
  const submit = async (override: boolean) => {
    try {
      await onMove(form.name, Number(form.version), form.reason, override);
      toast.success(`${form.name} → v${form.version}${override ? " (policy overridden)" : ""}`);
      setForm((f) => ({ ...f, reason: "" }));
    } catch {
      // shown below
    }
  };
  return (
    <Card>
      <CardContent className="pt-4">
        <h3 className="mb-2 font-medium text-sm">{heading}</h3>
        <form
          className="grid grid-cols-[1fr_8rem_2fr_auto] items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void submit(false);
          }}
        >
          <Field label={label} htmlFor={`${field}-name`} error={fieldError(error, field)}>
            <Input
              id={`${field}-name`}
              list={`${field}-names`}
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
          </Field>
          <datalist id={`${field}-names`}>
            {[...new Set(suggestions)].map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
          <Field label="Version" htmlFor={`${field}-version`} error={fieldError(error, "version")}>
            <Select
              id={`${field}-version`}
              value={form.version}
              onChange={(e) => setForm({ ...form, version: e.target.value })}
            >
              {versions.map((v) => (
                <option key={v.id} value={v.version}>
                  v{v.version}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Reason" htmlFor={`${field}-reason`} error={fieldError(error, "reason")}>
            <Input
              id={`${field}-reason`}
              value={form.reason}
              onChange={(e) => setForm({ ...form, reason: e.target.value })}
            />
          </Field>
          <Button type="submit" loading={pending} disabled={versions.length === 0}>
            Move
          </Button>
        </form>
        <FormError error={error} fields={[field, "version", "reason"]} className="mt-2" />
        {refusedByPolicy &&
          (mayOverride ? (
            <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">
              <Button
                type="button"
                variant="danger"
                size="sm"
                loading={pending}
                disabled={form.reason.trim().length < 3}
                onClick={() => void submit(true)}
              >
                Override with reason
              </Button>
              <span className="text-muted-foreground text-xs">
                {form.reason.trim().length < 3
                  ? "Write why in Reason first: the override and its reason are recorded."
                  : "The override and its reason are recorded in the history and the audit log."}
              </span>
            </div>
          ) : (
            <p className="mt-2 text-muted-foreground text-xs">Only owners and admins can override a release policy.</p>
          ))}
      </CardContent>
    </Card>
  );
}
