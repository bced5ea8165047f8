"use client";

import { useState } from "react";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { Button, Card, CardContent, Field, Input, Select, toast } from "@/components/ui";

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
  onMove,
}: {
  field: "alias" | "label";
  heading: string;
  versions: { id: string; version: number }[];
  /** Offered in the name's datalist; duplicates are dropped. */
  suggestions: string[];
  error: unknown;
  pending: boolean;
  /** Throws on failure; the error is shown from `error`. */
  onMove: (name: string, version: number, reason: string) => Promise<unknown>;
}) {
  const [form, setForm] = useState({
    name: "production",
    version: String(versions[0]?.version ?? ""),
    reason: "",
  });
  const label = field === "alias" ? "Alias" : "Label";
  return (
    <Card>
      <CardContent className="pt-4">
        <h3 className="mb-2 font-medium text-sm">{heading}</h3>
        <form
          className="grid grid-cols-[1fr_8rem_2fr_auto] items-end gap-2"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              await onMove(form.name, Number(form.version), form.reason);
              toast.success(`${form.name} → v${form.version}`);
              setForm((f) => ({ ...f, reason: "" }));
            } catch {
              // shown below
            }
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
          <Field label="Reason" htmlFor={`${field}-reason`}>
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
        <FormError error={error} fields={[field, "version"]} className="mt-2" />
      </CardContent>
    </Card>
  );
}
