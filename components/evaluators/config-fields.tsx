"use client";

import { Checkbox, Field, Input, Select, Textarea } from "@/components/ui";
import type { EvaluatorType } from "@/lib/evals/evaluators";

/** One config field as the form shows it; `json` fields are edited as text and parsed. */
interface FieldSpec {
  key: string;
  label: string;
  kind: "text" | "textarea" | "number" | "boolean" | "json" | "mode";
  hint?: string;
  /** Shown only when this returns true for the current config. */
  when?: (config: Record<string, unknown>) => boolean;
  mono?: boolean;
}

const fixedValue = (c: Record<string, unknown>) => c.useExpected !== true;
const target: FieldSpec[] = [
  { key: "useExpected", label: "Compare with the case's expected output", kind: "boolean" },
  { key: "value", label: "Value", kind: "text", when: fixedValue },
];
const textOptions: FieldSpec[] = [
  { key: "caseInsensitive", label: "Ignore letter case", kind: "boolean" },
  { key: "trim", label: "Trim whitespace", kind: "boolean" },
];

const CONFIG_FIELDS: Record<EvaluatorType, FieldSpec[]> = {
  exact: [...target, ...textOptions],
  contains: [...target, ...textOptions],
  starts_with: [...target, ...textOptions],
  regex: [
    { key: "pattern", label: "Pattern", kind: "text", mono: true, hint: "RE2 syntax: no backreferences or lookaround" },
    { key: "flags", label: "Flags", kind: "text", mono: true, hint: "i, m, s, u" },
  ],
  json_valid: [],
  json_schema: [
    { key: "schema", label: "JSON Schema", kind: "json", hint: "Draft 2020-12; formats such as email and date-time" },
  ],
  json_path: [
    { key: "path", label: "Path", kind: "text", mono: true, hint: "$.answer, $.items[0].name, $['a key']" },
    { key: "useExpected", label: "Compare with the case's expected output", kind: "boolean" },
    { key: "value", label: "Value (JSON)", kind: "json", when: fixedValue },
  ],
  numeric: [
    { key: "useExpected", label: "Compare with the case's expected output", kind: "boolean" },
    { key: "value", label: "Value", kind: "number", when: fixedValue },
    { key: "tolerance", label: "Tolerance", kind: "number" },
    { key: "mode", label: "Tolerance is", kind: "mode" },
  ],
  levenshtein: [...target, ...textOptions],
  rouge_l: [...target, ...textOptions],
  embedding_similarity: [
    { key: "model", label: "Embedding model", kind: "text", hint: "name, name@alias or name@3" },
    ...target,
  ],
  llm_judge: [
    { key: "model", label: "Judge model", kind: "text", hint: "Any registered chat model: name, name@alias or name@3" },
    {
      key: "rubric",
      label: "Rubric",
      kind: "textarea",
      mono: true,
      hint: "Jinja: {{ input }}, {{ output }}, {{ expected }} (also messages, variables, metadata)",
    },
    { key: "choices", label: "Choices and their scores (JSON)", kind: "json", hint: '{"A": 1, "B": 0.5, "C": 0}' },
    { key: "samples", label: "Calls per case (majority wins)", kind: "number" },
    {
      key: "system",
      label: "System instructions (optional)",
      kind: "textarea",
      hint: "Default: answer with a last line 'Answer: <choice>'",
    },
  ],
  http: [
    {
      key: "url",
      label: "URL",
      kind: "text",
      mono: true,
      hint: "Receives a signed POST {input, output, expected, metadata}",
    },
    { key: "timeoutMs", label: "Timeout (ms)", kind: "number" },
  ],
};

/** The text a json field shows for a value. */
const jsonText = (value: unknown) => (value === undefined ? "" : JSON.stringify(value, null, 2));

interface Props {
  type: EvaluatorType;
  config: Record<string, unknown>;
  /** The text of each json field while it is being typed (it may not parse yet). */
  jsonDrafts: Record<string, string>;
  onChange: (key: string, value: unknown, jsonDraft?: string) => void;
  error: (path: string) => string | undefined;
}

export function ConfigFields({ type, config, jsonDrafts, onChange, error }: Props) {
  return (
    <>
      {CONFIG_FIELDS[type]
        .filter((f) => !f.when || f.when(config))
        .map((f) => {
          const id = `evaluator-config-${f.key}`;
          const path = `config.${f.key}`;
          if (f.kind === "boolean")
            return (
              <div key={f.key} className="sm:col-span-2">
                <Checkbox
                  id={id}
                  label={f.label}
                  checked={config[f.key] === true}
                  onChange={(e) => onChange(f.key, e.target.checked)}
                />
              </div>
            );
          const wide = f.kind === "textarea" || f.kind === "json";
          return (
            <Field
              key={f.key}
              label={f.label}
              htmlFor={id}
              hint={f.hint}
              error={error(path)}
              className={wide ? "sm:col-span-2" : undefined}
            >
              {f.kind === "mode" ? (
                <Select
                  id={id}
                  value={String(config.mode ?? "absolute")}
                  onChange={(e) => onChange(f.key, e.target.value)}
                >
                  <option value="absolute">absolute (± the tolerance)</option>
                  <option value="relative">relative (± tolerance × the target)</option>
                </Select>
              ) : f.kind === "textarea" || f.kind === "json" ? (
                <Textarea
                  id={id}
                  rows={f.kind === "json" ? 5 : 6}
                  className="font-mono text-xs"
                  value={
                    f.kind === "json" ? (jsonDrafts[f.key] ?? jsonText(config[f.key])) : String(config[f.key] ?? "")
                  }
                  onChange={(e) => {
                    if (f.kind !== "json") return onChange(f.key, e.target.value === "" ? undefined : e.target.value);
                    const text = e.target.value;
                    let parsed: unknown;
                    try {
                      parsed = text.trim() === "" ? undefined : JSON.parse(text);
                    } catch {
                      parsed = INVALID_JSON;
                    }
                    onChange(f.key, parsed, text);
                  }}
                />
              ) : (
                <Input
                  id={id}
                  className={f.mono ? "font-mono" : undefined}
                  inputMode={f.kind === "number" ? "decimal" : undefined}
                  value={
                    f.kind === "number"
                      ? (jsonDrafts[f.key] ?? String(config[f.key] ?? ""))
                      : String(config[f.key] ?? "")
                  }
                  onChange={(e) => {
                    const text = e.target.value;
                    if (f.kind !== "number") return onChange(f.key, text);
                    onChange(f.key, text.trim() === "" ? undefined : Number(text), text);
                  }}
                />
              )}
            </Field>
          );
        })}
    </>
  );
}

/** What a json field holds while its text does not parse: the schemas refuse it, so the form names it. */
export const INVALID_JSON = "\u0000not valid JSON";
