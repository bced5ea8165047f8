"use client";

import { X } from "lucide-react";
import { formatMoney } from "@/components/format";
import type { Column, Params } from "@/components/playground/types";
import { Badge, Button, Card, CardContent, Field, Input, Select, Stat } from "@/components/ui";

const PARAM_FIELDS: [keyof Params, string, string][] = [
  ["temperature", "Temperature", "default"],
  ["maxTokens", "Max tokens", "default"],
  ["topP", "Top-p", "1"],
  ["topK", "Top-k", "off"],
  ["repetitionPenalty", "Repetition", "1.0"],
  ["seed", "Seed", "random"],
];

/** Compact stat cards: they sit four to a row in a column a quarter of the page wide. */
const STAT = "min-w-0 px-3 py-2 [&>p:nth-child(2)]:truncate [&>p:nth-child(2)]:text-base [&>p:nth-child(2)]:leading-6";

const fmt = (v: number | null | undefined, digits = 0, unit = "") =>
  v === null || v === undefined ? "—" : `${v.toFixed(digits)}${unit}`;

export function ColumnCard({
  index,
  column,
  models,
  running,
  onChange,
  onRemove,
  errorFor,
}: {
  index: number;
  column: Column;
  models: { value: string; label: string }[];
  running: boolean;
  onChange: (column: Column) => void;
  onRemove?: () => void;
  /** The live validation's message for a parameter of this column (`temperature`, `stop`, ...). */
  errorFor: (param: string) => string | undefined;
}) {
  const setParam = (key: keyof Params, value: string) =>
    onChange({ ...column, params: { ...column.params, [key]: value } });
  const label = `Configuration ${index + 1}`;
  return (
    <Card role="region" className="flex min-w-0 flex-col" aria-label={label}>
      <CardContent className="flex flex-1 flex-col gap-3 pt-4">
        <div className="flex min-w-0 items-center gap-2">
          <Select
            aria-label={`Model for ${label.toLowerCase()}`}
            value={column.model}
            disabled={running}
            onChange={(e) => onChange({ ...column, model: e.target.value })}
          >
            <option value="">Choose a model…</option>
            {models.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </Select>
          {onRemove && (
            <Button
              variant="ghost"
              size="icon"
              onClick={onRemove}
              disabled={running}
              aria-label={`Remove ${label.toLowerCase()}`}
            >
              <X className="size-4" aria-hidden />
            </Button>
          )}
        </div>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
          {PARAM_FIELDS.map(([key, name, placeholder]) => (
            <Field
              key={key}
              label={name}
              htmlFor={`param-${index}-${key}`}
              error={errorFor(key)}
              className="gap-0.5 text-muted-foreground [&>label]:text-xs"
            >
              <Input
                id={`param-${index}-${key}`}
                aria-label={`${name} for ${label.toLowerCase()}`}
                value={column.params[key]}
                placeholder={placeholder}
                disabled={running}
                inputMode="decimal"
                onChange={(e) => setParam(key, e.target.value)}
                className="h-7 text-xs"
              />
            </Field>
          ))}
          <Field
            label="Stop sequences (separate with |)"
            htmlFor={`param-${index}-stop`}
            error={errorFor("stop")}
            className="col-span-2 gap-0.5 text-muted-foreground sm:col-span-3 [&>label]:text-xs"
          >
            <Input
              id={`param-${index}-stop`}
              aria-label={`Stop sequences for ${label.toLowerCase()}`}
              value={column.params.stop}
              disabled={running}
              onChange={(e) => setParam("stop", e.target.value)}
              className="h-7 text-xs"
            />
          </Field>
        </div>
        <output
          aria-label={`Output of ${label.toLowerCase()}`}
          aria-live="polite"
          className="min-h-40 flex-1 whitespace-pre-wrap rounded-md border border-border bg-muted/40 p-3 font-mono text-sm"
        >
          {column.text}
          {column.status === "running" && (
            <span className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-primary align-middle" />
          )}
          {column.status === "idle" && !column.text && (
            <span className="text-muted-foreground">The answer streams here.</span>
          )}
        </output>
        {column.status === "stopped" && (
          <p role="status" className="flex items-center gap-2 text-muted-foreground text-xs">
            <Badge>Stopped</Badge> You stopped this run; the text above is what had arrived.
          </p>
        )}
        {column.error && column.status !== "stopped" && (
          <p role="alert" className="rounded-md bg-danger-soft p-2 text-danger text-sm">
            {column.error}
          </p>
        )}
        {column.stats && (
          <div className="flex flex-col gap-2" data-testid={`stats-${index}`}>
            <div className="grid grid-cols-[repeat(auto-fill,minmax(7.5rem,1fr))] gap-2">
              <Stat className={STAT} label="TTFT" value={fmt(column.stats.ttftMs, 0, " ms")} />
              <Stat className={STAT} label="Tokens/s" value={fmt(column.stats.tokensPerSecond, 1)} />
              <Stat
                className={STAT}
                label="Tokens in / out"
                value={`${column.stats.tokensIn} / ${column.stats.tokensOut}`}
              />
              <Stat className={STAT} label="Cost" value={formatMoney(column.stats.costUsd)} />
              <Stat className={STAT} label="Time/token" value={fmt(column.stats.tpotMs, 1, " ms")} />
            </div>
            <div className="flex flex-wrap gap-1 text-xs">
              <Badge tone="info">{column.stats.device}</Badge>
              <Badge>{column.status === "stopped" ? "stopped" : column.stats.finishReason}</Badge>
            </div>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
