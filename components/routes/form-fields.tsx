"use client";

import { type ReactNode, useEffect, useState } from "react";
import { Checkbox, Field, Input, Select, Textarea } from "@/components/ui";
import { getPath, type RouteDraft } from "@/lib/routes/form-sync";

type Path = (string | number)[];

/** What every field of the route form needs: the draft, a writer, the live validation message, and whether it is read-only. */
export interface FormApi {
  draft: RouteDraft;
  set: (path: Path, value: unknown) => void;
  error: (path: string) => string | undefined;
  readOnly: boolean;
}

const idOf = (path: Path) => `route-${path.join("-")}`;
const dotted = (path: Path) => path.join(".");

interface FieldBase {
  api: FormApi;
  path: Path;
  label: ReactNode;
  hint?: ReactNode;
  className?: string;
}

/** A number; empty removes the key (the schema's default applies, shown as the placeholder). */
export function NumberField({
  api,
  path,
  label,
  hint,
  className,
  placeholder,
  step,
}: FieldBase & {
  placeholder?: string;
  step?: number;
}) {
  const value = getPath(api.draft, path);
  return (
    <Field label={label} htmlFor={idOf(path)} hint={hint} error={api.error(dotted(path))} className={className}>
      <Input
        id={idOf(path)}
        type="number"
        step={step ?? "any"}
        inputMode="decimal"
        placeholder={placeholder}
        readOnly={api.readOnly}
        value={typeof value === "number" ? value : ""}
        onChange={(e) => api.set(path, e.target.value === "" ? undefined : Number(e.target.value))}
      />
    </Field>
  );
}

/** Text; empty removes the key unless `keepEmpty`. */
export function TextField({
  api,
  path,
  label,
  hint,
  className,
  placeholder,
  multiline,
  keepEmpty,
}: FieldBase & {
  placeholder?: string;
  multiline?: boolean;
  keepEmpty?: boolean;
}) {
  const value = getPath(api.draft, path);
  const shown = typeof value === "string" ? value : value == null ? "" : String(value);
  const write = (text: string) => api.set(path, text === "" && !keepEmpty ? undefined : text);
  const common = { id: idOf(path), placeholder, readOnly: api.readOnly, value: shown };
  return (
    <Field label={label} htmlFor={idOf(path)} hint={hint} error={api.error(dotted(path))} className={className}>
      {multiline ? (
        <Textarea {...common} rows={3} onChange={(e) => write(e.target.value)} />
      ) : (
        <Input {...common} className="font-mono" onChange={(e) => write(e.target.value)} />
      )}
    </Field>
  );
}

/** One of a few values; the first option ("default: …") removes the key. */
export function ChoiceField({
  api,
  path,
  label,
  hint,
  className,
  options,
  fallback,
}: FieldBase & {
  options: readonly string[];
  fallback: string;
}) {
  const value = getPath(api.draft, path);
  return (
    <Field label={label} htmlFor={idOf(path)} hint={hint} error={api.error(dotted(path))} className={className}>
      <Select
        id={idOf(path)}
        disabled={api.readOnly}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => api.set(path, e.target.value === "" ? undefined : e.target.value)}
      >
        <option value="">default ({fallback})</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** A boolean that shows the schema's default while unset; a click writes it explicitly. */
export function BoolField({
  api,
  path,
  label,
  fallback,
  description,
}: {
  api: FormApi;
  path: Path;
  label: ReactNode;
  fallback: boolean;
  description?: ReactNode;
}) {
  const value = getPath(api.draft, path);
  const error = api.error(dotted(path));
  return (
    <div className="flex flex-col gap-1">
      <Checkbox
        id={idOf(path)}
        label={label}
        description={description}
        disabled={api.readOnly}
        checked={typeof value === "boolean" ? value : fallback}
        onChange={(e) => api.set(path, e.target.checked)}
      />
      {error ? (
        <p role="alert" className="font-medium text-danger text-xs">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A list of short strings, one per line. Keeps its own text while typing (so a new empty line survives) and writes
 * the non-empty lines; an empty list removes the key.
 */
export function LinesField({ api, path, label, hint, className }: FieldBase) {
  const value = getPath(api.draft, path);
  const list = Array.isArray(value) ? value.map(String) : [];
  const [text, setText] = useState(list.join("\n"));
  const joined = list.join("\n");
  useEffect(() => {
    // The YAML changed underneath (the other tab): show it, unless it is what this text already says.
    setText((current) => (linesOf(current).join("\n") === joined ? current : joined));
  }, [joined]);
  return (
    <Field label={label} htmlFor={idOf(path)} hint={hint} error={api.error(dotted(path))} className={className}>
      <Textarea
        id={idOf(path)}
        rows={Math.min(6, Math.max(2, list.length + 1))}
        readOnly={api.readOnly}
        className="font-mono text-xs"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const lines = linesOf(e.target.value);
          api.set(path, lines.length ? lines : undefined);
        }}
      />
    </Field>
  );
}

const linesOf = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** A titled group of fields. */
export function Section({
  title,
  note,
  actions,
  children,
}: {
  title: ReactNode;
  note?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="flex flex-col gap-3 rounded-md border border-border p-3">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 className="font-medium text-sm">{title}</h3>
          {note ? <p className="text-muted-foreground text-xs">{note}</p> : null}
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}
