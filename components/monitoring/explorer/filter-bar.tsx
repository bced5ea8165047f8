"use client";

import { useQuery } from "@tanstack/react-query";
import { Search, X } from "lucide-react";
import { type FormEvent, useMemo, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Button, Field, Input, Select } from "@/components/ui";
import { EXPLORER_FILTER_KEYS, type ExplorerUrlFilters, explorerUrlForm } from "@/lib/request-explorer";

type Draft = Record<(typeof EXPLORER_FILTER_KEYS)[number], string>;

const toDraft = (filters: ExplorerUrlFilters): Draft =>
  Object.fromEntries(EXPLORER_FILTER_KEYS.map((k) => [k, filters[k] === undefined ? "" : String(filters[k])])) as Draft;

/** The draft as the URL would carry it: empty fields left out (the schema then checks what is there). */
const present = (draft: Draft) => Object.fromEntries(Object.entries(draft).filter(([, v]) => v.trim() !== ""));

/**
 * The explorer's filters. Choices from a list apply at once; typed values apply with Enter or Apply, after the
 * shared schema accepts them (mistakes are named under their field as the user types).
 */
export function FilterBar({
  filters,
  onApply,
  bodiesStored,
}: {
  filters: ExplorerUrlFilters;
  onApply: (filters: ExplorerUrlFilters) => void;
  bodiesStored: boolean | undefined;
}) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<Draft>(() => toDraft(filters));
  const values = useMemo(() => present(draft), [draft]);
  const v = useLiveValidation(explorerUrlForm, values);
  const models = useQuery(trpc.models.list.queryOptions({ pageSize: 100 }));
  const model = useQuery({
    ...trpc.models.get.queryOptions({ id: draft.modelId }),
    enabled: draft.modelId !== "",
  });
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ includeRevoked: true }));

  const apply = (next: Draft) => {
    const parsed = explorerUrlForm.safeParse(present(next));
    if (!parsed.success) {
      v.showAll();
      return;
    }
    onApply(parsed.data);
  };
  const set = (key: keyof Draft, value: string, now = false) => {
    const next = { ...draft, [key]: value, ...(key === "modelId" ? { model: "" } : {}) };
    setDraft(next);
    if (now) apply(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const text = (key: keyof Draft, label: string, placeholder: string, type = "text") => (
    <Field label={label} htmlFor={`filter-${key}`} error={v.error(key)}>
      <Input
        id={`filter-${key}`}
        type={type}
        inputMode={type === "number" ? "decimal" : undefined}
        step="any"
        value={draft[key]}
        placeholder={placeholder}
        onChange={(e) => set(key, e.target.value)}
      />
    </Field>
  );
  const active = Object.keys(present(toDraft(filters))).length;

  return (
    <form onSubmit={submit} className="flex w-full flex-col gap-3" aria-label="Filter requests">
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-0 flex-1 basis-64">
          <Field
            label="Search in bodies and errors"
            htmlFor="filter-q"
            error={v.error("q")}
            hint={
              bodiesStored === false
                ? "Request body logging is off (Settings → General): search finds error messages, and bodies only of requests logged while it was on."
                : "Case-insensitive; at most 31 days at a time."
            }
          >
            <Input
              id="filter-q"
              type="search"
              value={draft.q}
              placeholder="Text in a prompt, an answer, an error…"
              onChange={(e) => set("q", e.target.value)}
            />
          </Field>
        </div>
        <Field label="Status" htmlFor="filter-status">
          <Select id="filter-status" value={draft.status} onChange={(e) => set("status", e.target.value, true)}>
            <option value="">All statuses</option>
            <option value="ok">Succeeded</option>
            <option value="error">Failed</option>
            <option value="client_error">4xx</option>
            <option value="server_error">5xx</option>
            {draft.status && !["ok", "error", "client_error", "server_error"].includes(draft.status) && (
              <option value={draft.status}>{draft.status}</option>
            )}
          </Select>
        </Field>
        <Field label="Guardrail" htmlFor="filter-guardrail">
          <Select
            id="filter-guardrail"
            value={draft.guardrail}
            onChange={(e) => set("guardrail", e.target.value, true)}
          >
            <option value="">Any or none</option>
            <option value="any">Acted (any)</option>
            <option value="none">Did not act</option>
            <option value="block">Blocked</option>
            <option value="mask">Masked</option>
            <option value="flag">Flagged</option>
          </Select>
        </Field>
        <div className="flex gap-2">
          <Button type="submit" disabled={!v.valid}>
            <Search aria-hidden="true" /> Apply
          </Button>
          {active > 0 && (
            <Button
              type="button"
              variant="ghost"
              onClick={() => {
                setDraft(toDraft({}));
                onApply({});
              }}
            >
              <X aria-hidden="true" /> Clear ({active})
            </Button>
          )}
        </div>
      </div>
      <details className="group" open={active > 0 && !(active === 1 && filters.q)}>
        <summary className="cursor-pointer text-muted-foreground text-sm">More filters</summary>
        <div className="grid grid-cols-1 gap-2 pt-2 sm:grid-cols-2 lg:grid-cols-4">
          <Field label="Model" htmlFor="filter-modelId">
            <Select id="filter-modelId" value={draft.modelId} onChange={(e) => set("modelId", e.target.value, true)}>
              <option value="">Any model</option>
              {models.data?.items.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Model version" htmlFor="filter-model">
            <Select
              id="filter-model"
              value={draft.model}
              disabled={!draft.modelId}
              title={draft.modelId ? undefined : "Choose a model first"}
              onChange={(e) => set("model", e.target.value, true)}
            >
              <option value="">Any version</option>
              {model.data?.versions.map((version) => (
                <option key={version.id} value={version.id}>
                  v{version.version}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="API key" htmlFor="filter-key">
            <Select id="filter-key" value={draft.key} onChange={(e) => set("key", e.target.value, true)}>
              <option value="">Any key</option>
              {keys.data?.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name}
                </option>
              ))}
            </Select>
          </Field>
          {text("requestedModel", "Requested model", "support-bot@production")}
          {text("user", "User", "end-user id")}
          {text("session", "Session", "x-switchyard-session")}
          {text("tool", "Tool called", "lookup_order")}
          {text("batch", "Batch", "batch_…")}
          <div className="grid grid-cols-2 gap-2">
            {text("minLatencyMs", "Latency from (ms)", "0", "number")}
            {text("maxLatencyMs", "to (ms)", "∞", "number")}
          </div>
          <div className="grid grid-cols-2 gap-2">
            {text("minCostUsd", "Cost from ($)", "0", "number")}
            {text("maxCostUsd", "to ($)", "∞", "number")}
          </div>
        </div>
      </details>
    </form>
  );
}
