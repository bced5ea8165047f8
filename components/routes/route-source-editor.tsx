"use client";

import { useDeferredValue, useMemo, useRef } from "react";
import { Badge, cn, Textarea } from "@/components/ui";
import { detectFormat, parseRouteSource, type SourceIssue } from "@/lib/routes/parse";

/** `line 3, column 13: path: message`, as the server words its issues. */
const ISSUE = /^line (\d+), column (\d+): (.*)$/s;

/** Issues from a failed save (the registry check runs only there), in the editor's shape. */
export function serverIssues(error: unknown): SourceIssue[] {
  const issues = (error as { data?: { issues?: { path: string; message: string }[] } } | null)?.data?.issues ?? [];
  return issues
    .filter((i) => i.path === "source")
    .map((i) => {
      const match = ISSUE.exec(i.message);
      return match
        ? { line: Number(match[1]), column: Number(match[2]), path: "", message: match[3] }
        : { line: 1, column: 1, path: "", message: i.message };
    });
}

/**
 * A YAML/JSON editor for route configs: validated as you type with the same
 * parser the server uses (syntax and schema, by line and column); the registry
 * check of model references comes back from the server on save.
 */
export function RouteSourceEditor({
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
  const area = useRef<HTMLTextAreaElement>(null);
  const deferred = useDeferredValue(value);
  const parsed = useMemo(() => parseRouteSource(deferred), [deferred]);
  const issues = parsed.ok ? saveIssues : parsed.issues;
  const jump = (issue: SourceIssue) => {
    const el = area.current;
    if (!el) return;
    const lines = value.split("\n");
    const offset =
      lines.slice(0, issue.line - 1).reduce((sum, l) => sum + l.length + 1, 0) +
      Math.min(issue.column - 1, lines[issue.line - 1]?.length ?? 0);
    el.focus();
    el.setSelectionRange(offset, offset);
  };
  return (
    <div className="flex flex-col gap-2">
      <div className="flex items-center justify-between text-xs">
        <span className="text-muted-foreground">
          YAML or JSON · {value.split("\n").length} lines · <Badge>{detectFormat(value).toUpperCase()}</Badge>
        </span>
        {parsed.ok && saveIssues.length === 0 ? (
          <Badge tone="success">Valid</Badge>
        ) : (
          <Badge tone="danger">
            {issues.length} problem{issues.length === 1 ? "" : "s"}
          </Badge>
        )}
      </div>
      <Textarea
        ref={area}
        aria-label="Route config"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        spellCheck={false}
        readOnly={readOnly}
        rows={18}
        className={cn("font-mono text-xs leading-5", issues.length > 0 && "border-danger")}
      />
      {issues.length > 0 && (
        <ul aria-label="Config problems" className="flex flex-col gap-1 rounded-md border border-danger/40 p-2 text-xs">
          {issues.map((issue) => (
            <li key={`${issue.line}:${issue.column}:${issue.message}`}>
              <button type="button" className="text-left hover:underline" onClick={() => jump(issue)}>
                <span className="font-medium font-mono text-danger">
                  Line {issue.line}, column {issue.column}
                </span>{" "}
                — {issue.path ? <code className="font-mono">{issue.path}</code> : null}
                {issue.path ? ": " : ""}
                {issue.message}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
