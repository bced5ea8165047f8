"use client";

import { useState } from "react";
import { TransformDialog, type TransformDialogProps } from "@/components/datasets/transform-dialog";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Checkbox, Field, Input, Select } from "@/components/ui";
import { filterOptions, splitOptions } from "@/lib/dataset-forms";

/** A number field's text as the schema sees it: empty is "not given", anything else a number (NaN is refused). */
const numberOrUndefined = (text: string) => (text.trim() === "" ? undefined : Number(text));

export function MaskDialog(props: TransformDialogProps) {
  return (
    <TransformDialog
      {...props}
      title="Mask personal data"
      description="E-mails, phone numbers, cards, IBANs, IPs, national ids and secrets become placeholders (<EMAIL_1>, …), consistent within each example. Names and metadata are kept."
      operation="mask"
      params={{}}
      applyLabel="Apply mask"
    />
  );
}

export function DedupeDialog(props: TransformDialogProps) {
  return (
    <TransformDialog
      {...props}
      title="Remove duplicates"
      description="Keeps the first of examples with the same training content."
      operation="dedupe"
      params={{}}
      applyLabel="Remove duplicates"
    />
  );
}

export function SplitDialog(props: TransformDialogProps) {
  const [ratio, setRatio] = useState("0.9");
  const [salt, setSalt] = useState("switchyard");
  const draft = { ratio: numberOrUndefined(ratio), salt };
  const v = useLiveValidation(splitOptions, draft);
  return (
    <TransformDialog
      {...props}
      title="Split into train and validation"
      description="Each example goes to train or validation by a hash of its content and the seed: the same seed and share always split the same way."
      operation="split"
      params={v.valid ? (draft as { ratio: number; salt: string }) : null}
      applyLabel="Apply split"
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <Field
          label="Train share (0–1)"
          htmlFor="split-ratio"
          error={v.error("ratio")}
          hint="0.9 = 90 % train, 10 % validation"
        >
          <Input
            id="split-ratio"
            inputMode="decimal"
            value={ratio}
            onChange={(e) => setRatio(e.target.value)}
            data-autofocus
          />
        </Field>
        <Field label="Seed" htmlFor="split-seed" error={v.error("salt")} hint="Change it for a different split">
          <Input id="split-seed" value={salt} onChange={(e) => setSalt(e.target.value)} />
        </Field>
      </div>
    </TransformDialog>
  );
}

export function FilterDialog(props: TransformDialogProps) {
  const [minTokens, setMinTokens] = useState("");
  const [maxTokens, setMaxTokens] = useState("");
  const [requireRole, setRequireRole] = useState("");
  const [include, setInclude] = useState("");
  const [exclude, setExclude] = useState("");
  const draft = {
    minTokens: numberOrUndefined(minTokens),
    maxTokens: numberOrUndefined(maxTokens),
    requireRole: (requireRole || undefined) as "system" | "user" | "assistant" | undefined,
    include: include || undefined,
    exclude: exclude || undefined,
  };
  const v = useLiveValidation(filterOptions, draft);
  return (
    <TransformDialog
      {...props}
      title="Filter examples"
      description="Keeps the examples that pass every condition you set. Patterns are case-insensitive regular expressions over message text (RE2: no lookaround or backreferences)."
      operation="filter"
      params={v.valid ? draft : null}
      applyLabel="Apply filter"
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Minimum tokens" htmlFor="filter-min" error={v.error("minTokens")}>
          <Input id="filter-min" inputMode="numeric" value={minTokens} onChange={(e) => setMinTokens(e.target.value)} />
        </Field>
        <Field label="Maximum tokens" htmlFor="filter-max" error={v.error("maxTokens")}>
          <Input id="filter-max" inputMode="numeric" value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} />
        </Field>
        <Field label="Must have a message from" htmlFor="filter-role" error={v.error("requireRole")}>
          <Select id="filter-role" value={requireRole} onChange={(e) => setRequireRole(e.target.value)}>
            <option value="">any role</option>
            <option value="system">system</option>
            <option value="user">user</option>
            <option value="assistant">assistant</option>
          </Select>
        </Field>
        <div className="hidden sm:block" />
        <Field label="Keep only text matching" htmlFor="filter-include" error={v.error("include")}>
          <Input id="filter-include" value={include} onChange={(e) => setInclude(e.target.value)} />
        </Field>
        <Field label="Drop text matching" htmlFor="filter-exclude" error={v.error("exclude")}>
          <Input id="filter-exclude" value={exclude} onChange={(e) => setExclude(e.target.value)} />
        </Field>
      </div>
    </TransformDialog>
  );
}

export function MergeDialog({
  versions,
  ...props
}: TransformDialogProps & { versions: { id: string; version: number; exampleCount: number }[] }) {
  const others = versions.filter((o) => o.id !== props.version.id);
  const [chosen, setChosen] = useState<string[]>([]);
  const [dedupe, setDedupe] = useState(true);
  const toggle = (id: string, on: boolean) =>
    setChosen((c) => (on ? [...c, id] : c.filter((x) => x !== id)).slice(0, 10));
  return (
    <TransformDialog
      {...props}
      title="Merge versions"
      description={`v${props.version.version} first, then the versions you choose, in version order.`}
      operation="merge"
      previewable={false}
      params={
        chosen.length > 0
          ? {
              otherVersionIds: others
                .filter((o) => chosen.includes(o.id))
                .sort((a, b) => a.version - b.version)
                .map((o) => o.id),
              dedupe,
            }
          : null
      }
      applyLabel="Merge"
    >
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 font-medium text-sm">Versions to append (up to 10)</legend>
        {others.length === 0 && <p className="text-muted-foreground text-sm">This dataset has no other version.</p>}
        {others.map((o) => (
          <Checkbox
            key={o.id}
            label={`v${o.version}`}
            description={`${o.exampleCount.toLocaleString("en-US")} examples`}
            checked={chosen.includes(o.id)}
            onChange={(e) => toggle(o.id, e.target.checked)}
          />
        ))}
      </fieldset>
      <Checkbox
        label="Drop duplicates"
        description="Keep the first of examples with the same content"
        checked={dedupe}
        onChange={(e) => setDedupe(e.target.checked)}
      />
    </TransformDialog>
  );
}
