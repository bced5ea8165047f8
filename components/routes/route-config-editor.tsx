"use client";

import { useMemo, useState } from "react";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Select, Tabs } from "@/components/ui";
import { routeConfig } from "@/lib/routes/config";
import { applyDraft, readDraft, setPath } from "@/lib/routes/form-sync";
import { GUARDS, type GuardKind, type GuardStage, guardInfo, insertGuard } from "@/lib/routes/guards";
import type { SourceIssue } from "@/lib/routes/parse";
import type { FormApi } from "./form-fields";
import { RouteForm } from "./route-form";
import { RouteSourceEditor } from "./route-source-editor";

type View = "form" | "yaml";

/**
 * A route config edited as a form or as text (Form | YAML tabs over the same text: a form edit rewrites only the
 * values it changed, so comments and key order survive). Text that does not parse keeps the user on the YAML tab,
 * with the problems by line. "Insert guard" adds a commented snippet of each guard kind.
 */
export function RouteConfigEditor({
  value,
  onChange,
  saveIssues = [],
  readOnly = false,
}: {
  value: string;
  onChange: (value: string) => void;
  saveIssues?: SourceIssue[];
  readOnly?: boolean;
}) {
  // Text that does not parse (only ever typed, never stored) opens on the YAML tab.
  const [view, setView] = useState<View>(() => (readDraft(value).ok ? "form" : "yaml"));
  const [notice, setNotice] = useState<string | null>(null);
  const read = useMemo(() => readDraft(value), [value]);
  const draft = read.ok ? read.draft : null;
  const live = useLiveValidation(routeConfig, draft ?? {});
  const shown: View = read.ok ? view : "yaml";

  const api: FormApi | null = draft
    ? {
        draft,
        readOnly,
        error: live.error,
        set: (path, next) => onChange(applyDraft(value, setPath(draft, path, next))),
      }
    : null;

  const insert = (choice: string) => {
    if (!choice) return;
    const [stage, kind] = choice.split(".") as [GuardStage, GuardKind];
    try {
      onChange(insertGuard(value, stage, kind));
      const info = guardInfo(stage, kind);
      setNotice(info ? `Inserted ${info.label.toLowerCase()}. ${info.latency}` : null);
    } catch (error) {
      setNotice((error as Error).message);
    }
  };

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <Tabs
          aria-label="Edit as"
          value={shown}
          onValueChange={(next) => {
            if (next === "form" && !read.ok) {
              setNotice("Fix the problems in the YAML first: the form shows only text that parses.");
              return;
            }
            setNotice(null);
            setView(next as View);
          }}
          tabs={[
            { value: "form", label: "Form" },
            { value: "yaml", label: "YAML" },
          ]}
          className="border-b-0"
        />
        <Select
          aria-label="Insert guard"
          className="w-48"
          value=""
          disabled={readOnly || !read.ok}
          title={readOnly ? "Viewers cannot edit routes" : undefined}
          onChange={(e) => insert(e.target.value)}
        >
          <option value="">Insert guard…</option>
          {(["input", "output"] as const).map((stage) => (
            <optgroup key={stage} label={stage === "input" ? "Input (prompt)" : "Output (answer)"}>
              {GUARDS.filter((g) => g.stage === stage).map((g) => (
                <option key={g.kind} value={`${stage}.${g.kind}`}>
                  {g.label}
                </option>
              ))}
            </optgroup>
          ))}
        </Select>
      </div>
      {notice ? (
        <p role="status" className="rounded-md bg-subtle p-2 text-muted-foreground text-xs">
          {notice}
        </p>
      ) : null}
      {shown === "form" && api && !live.valid ? (
        <p className="text-muted-foreground text-xs">
          Not valid yet: the fields you changed say why; the YAML tab lists every problem by line.
        </p>
      ) : null}
      {shown === "form" && api ? (
        <RouteForm api={api} />
      ) : (
        <RouteSourceEditor value={value} onChange={onChange} saveIssues={saveIssues} readOnly={readOnly} />
      )}
      {shown === "form" && saveIssues.length > 0 ? (
        <ul aria-label="Config problems" className="rounded-md border border-danger/40 p-2 text-danger text-xs">
          {saveIssues.map((issue) => (
            <li key={`${issue.line}:${issue.column}:${issue.message}`}>
              Line {issue.line}, column {issue.column} — {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
