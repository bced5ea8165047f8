"use client";

import { Columns3 } from "lucide-react";
import { useEffect, useState } from "react";
import { formatDateTimeSeconds, formatMoney } from "@/components/format";
import { actionTone, type RequestItem } from "@/components/monitoring/request-detail";
import { Badge, Checkbox, type DataTableColumn } from "@/components/ui";

const dash = <span className="text-muted-foreground">—</span>;
const mono = (text: string | null, title?: string) =>
  text ? (
    <code className="font-mono text-xs" title={title ?? text}>
      {text}
    </code>
  ) : (
    dash
  );

/** Every column the explorer can show; `keyName` turns an API key id into its name. */
export function explorerColumns(keyName: (id: string) => string | undefined): DataTableColumn<RequestItem>[] {
  return [
    {
      key: "time",
      header: "Time",
      className: "whitespace-nowrap",
      cell: (r) => <time dateTime={new Date(r.startedAt).toISOString()}>{formatDateTimeSeconds(r.startedAt)}</time>,
    },
    {
      key: "status",
      header: "Status",
      cell: (r) => <Badge tone={r.status < 400 ? "success" : r.status < 500 ? "warning" : "danger"}>{r.status}</Badge>,
    },
    { key: "model", header: "Model", cell: (r) => mono(r.requestedModel) },
    {
      key: "version",
      header: "Version",
      cell: (r) => mono(r.modelVersionId ? r.modelVersionId.slice(0, 8) : null, r.modelVersionId ?? undefined),
    },
    {
      key: "key",
      header: "API key",
      cell: (r) => (r.apiKeyId ? (keyName(r.apiKeyId) ?? mono(r.apiKeyId.slice(0, 8), r.apiKeyId)) : dash),
    },
    { key: "user", header: "User", cell: (r) => mono(r.userId) },
    { key: "session", header: "Session", cell: (r) => mono(r.sessionId) },
    {
      key: "latency",
      header: "Latency",
      className: "text-right whitespace-nowrap",
      cell: (r) => `${Math.round(r.latencyMs)} ms`,
    },
    {
      key: "ttft",
      header: "TTFT",
      className: "text-right whitespace-nowrap",
      cell: (r) => (r.ttftMs == null ? "—" : `${Math.round(r.ttftMs)} ms`),
    },
    {
      key: "tokens",
      header: "Tokens in/out",
      className: "whitespace-nowrap",
      cell: (r) => `${r.tokensIn} / ${r.tokensOut}`,
    },
    { key: "cost", header: "Cost", className: "text-right", cell: (r) => formatMoney(r.costUsd) },
    { key: "stream", header: "Stream", cell: (r) => (r.stream ? "yes" : "no") },
    {
      key: "tools",
      header: "Tools",
      cell: (r) =>
        r.toolNames?.length ? (
          <span className="flex gap-1">
            {r.toolNames.slice(0, 2).map((name) => (
              <Badge key={name} tone="accent">
                {name}
              </Badge>
            ))}
            {r.toolNames.length > 2 && <Badge>+{r.toolNames.length - 2}</Badge>}
          </span>
        ) : (
          dash
        ),
    },
    {
      key: "guardrails",
      header: "Guardrails",
      cell: (r) =>
        r.guardrails.length === 0 ? (
          dash
        ) : (
          <span className="flex gap-1">
            {[...new Set(r.guardrails.map((a) => a.action))].map((action) => (
              <Badge key={action} tone={actionTone(action)}>
                {action}
              </Badge>
            ))}
          </span>
        ),
    },
  ];
}

const COLUMN_LABELS: Record<string, string> = {
  time: "Time",
  status: "Status",
  model: "Model",
  version: "Model version",
  key: "API key",
  user: "User",
  session: "Session",
  latency: "Latency",
  ttft: "TTFT",
  tokens: "Tokens",
  cost: "Cost",
  stream: "Stream",
  tools: "Tools",
  guardrails: "Guardrails",
};
const DEFAULT_COLUMNS = ["time", "status", "model", "user", "latency", "tokens", "cost", "tools", "guardrails"];
const STORAGE_KEY = "switchyard.explorer.columns";

/** The columns the user chose, kept in localStorage (per browser: a personal view, not part of a shared link). */
export function useColumnChoice() {
  const [shown, setShown] = useState<string[]>(DEFAULT_COLUMNS);
  useEffect(() => {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as unknown;
      if (Array.isArray(saved) && saved.every((k) => typeof k === "string" && k in COLUMN_LABELS))
        setShown(saved as string[]);
    } catch {
      // A corrupt entry falls back to the defaults.
    }
  }, []);
  const toggle = (key: string) =>
    setShown((current) => {
      const next = current.includes(key) ? current.filter((k) => k !== key) : [...current, key];
      localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      return next;
    });
  return { shown, toggle };
}

export function ColumnChooser({ shown, toggle }: { shown: string[]; toggle: (key: string) => void }) {
  return (
    <details className="relative">
      <summary className="inline-flex h-8 cursor-pointer list-none items-center gap-1.5 rounded-md border border-input bg-card px-2.5 text-sm">
        <Columns3 aria-hidden="true" className="size-4" /> Columns
      </summary>
      <fieldset className="absolute right-0 z-20 mt-1 grid w-52 gap-1.5 rounded-md border bg-card p-2 shadow-md">
        <legend className="sr-only">Columns to show</legend>
        {Object.entries(COLUMN_LABELS).map(([key, label]) => (
          <Checkbox key={key} label={label} checked={shown.includes(key)} onChange={() => toggle(key)} />
        ))}
      </fieldset>
    </details>
  );
}
