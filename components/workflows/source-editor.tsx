"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Badge, cn } from "@/components/ui";
import type { WorkflowError } from "@/lib/workflows/positions";

/** How long typing must pause before the document is validated. */
const DEBOUNCE_MS = 350;

export interface Validation {
  valid: boolean;
  errors: WorkflowError[];
  /** The source this answer is about (an answer for older text is not shown as current). */
  source: string;
}

/**
 * A monospace YAML editor with line numbers, validated as you type (debounced) by the server's `validate` (the
 * same checks a save runs); every error names its line and column, and clicking one puts the caret there.
 */
export function WorkflowSourceEditor({
  value,
  onChange,
  onValidated,
}: {
  value: string;
  onChange: (value: string) => void;
  onValidated: (result: Validation) => void;
}) {
  const trpc = useTRPC();
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const [result, setResult] = useState<Validation | null>(null);
  const validate = useMutation(trpc.workflows.validate.mutationOptions());
  const { mutateAsync } = validate;

  useEffect(() => {
    let stale = false;
    const timer = setTimeout(() => {
      mutateAsync({ source: value })
        .then((r) => {
          if (stale) return;
          const next = { valid: r.valid, errors: r.errors, source: value };
          setResult(next);
          onValidated(next);
        })
        .catch(() => {});
    }, DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [value, mutateAsync, onValidated]);

  const lines = value.split("\n").length;
  const current = result?.source === value ? result : null;
  const errors = current?.errors ?? [];
  const errorLines = new Set(errors.map((e) => e.line));

  const jump = (e: WorkflowError) => {
    const el = area.current;
    if (!el) return;
    const all = value.split("\n");
    const offset =
      all.slice(0, e.line - 1).reduce((sum, l) => sum + l.length + 1, 0) +
      Math.min(e.column - 1, all[e.line - 1]?.length ?? 0);
    el.focus();
    el.setSelectionRange(offset, offset);
    // Scroll the line into view: 20px per line (leading-5).
    el.scrollTop = Math.max(0, (e.line - 5) * 20);
  };

  return (
    <div className="flex flex-col gap-2">
      <div className="flex items-center justify-between text-xs">
        <span className="text-muted-foreground">YAML · {lines} lines</span>
        {!current ? (
          <Badge>checking…</Badge>
        ) : current.valid ? (
          <Badge tone="success">Valid</Badge>
        ) : (
          <Badge tone="danger">
            {errors.length} problem{errors.length === 1 ? "" : "s"}
          </Badge>
        )}
      </div>
      <div
        className={cn(
          "flex h-[28rem] overflow-hidden rounded-md border bg-background font-mono text-xs leading-5",
          errors.length > 0 && "border-danger",
        )}
      >
        <div
          ref={gutter}
          aria-hidden
          className="select-none overflow-hidden border-r bg-muted/40 px-2 py-2 text-right text-muted-foreground"
        >
          {Array.from({ length: lines }, (_, i) => i + 1).map((n) => (
            <div key={n} className={cn(errorLines.has(n) && "font-bold text-danger")}>
              {n}
            </div>
          ))}
        </div>
        <textarea
          ref={area}
          aria-label="Workflow YAML"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
          spellCheck={false}
          wrap="off"
          className="flex-1 resize-none overflow-auto bg-transparent p-2 outline-none"
        />
      </div>
      {errors.length > 0 && (
        <ul
          aria-label="Workflow problems"
          className="flex flex-col gap-1 rounded-md border border-danger/40 p-2 text-xs"
        >
          {errors.map((e) => (
            <li key={`${e.line}:${e.column}:${e.message}`}>
              <button type="button" className="text-left hover:underline" onClick={() => jump(e)}>
                <span className="font-medium font-mono text-danger">
                  {e.line}:{e.column}
                </span>{" "}
                {e.message}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
