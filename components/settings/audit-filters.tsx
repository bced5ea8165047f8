"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { fromLocalInput, toLocalInput, type useAuditFilters } from "@/components/settings/use-audit-filters";
import { Button, Field, Input, Select } from "@/components/ui";
import { groupActions } from "@/lib/audit";

/**
 * The audit log's toolbar: resource and action (from what the project's log holds, `audit.facets`), actor, and
 * a time range. Wraps on a phone.
 */
export function AuditFilters({ filters }: { filters: ReturnType<typeof useAuditFilters> }) {
  const trpc = useTRPC();
  const facets = useQuery(trpc.audit.facets.queryOptions({}));
  const groups = groupActions(facets.data?.actions ?? []);
  const { values, set } = filters;
  // Typed into its own state: the URL catches up a moment later, and a controlled value from it would drop keys.
  const [actor, setActor] = useState(values.actor);
  const resource = groups.find((g) => g.resource === values.resource);
  // A resource in the URL that the log does not (yet) hold stays selectable, so the select shows the truth.
  const resources =
    values.resource && !resource
      ? [...groups, { resource: values.resource, label: values.resource, actions: [] }]
      : groups;

  return (
    <div className="flex w-full flex-wrap items-end gap-2">
      <Field label="Resource" htmlFor="audit-resource">
        <Select
          id="audit-resource"
          aria-label="Filter by resource"
          value={values.resource}
          onChange={(e) => set({ resource: e.target.value, action: "" })}
          className="w-40"
        >
          <option value="">All resources</option>
          {resources.map((g) => (
            <option key={g.resource} value={g.resource}>
              {g.label}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Action" htmlFor="audit-action">
        <Select
          id="audit-action"
          aria-label="Filter by action"
          value={values.action}
          onChange={(e) => set({ action: e.target.value })}
          className="w-48"
        >
          <option value="">All actions</option>
          {(resource ? [resource] : groups).flatMap((g) =>
            g.actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            )),
          )}
          {values.action && !groups.some((g) => g.actions.includes(values.action)) && (
            <option value={values.action}>{values.action}</option>
          )}
        </Select>
      </Field>
      <Field label="Actor" htmlFor="audit-actor">
        <Input
          id="audit-actor"
          aria-label="Filter by actor"
          placeholder="User or key…"
          list="audit-actors"
          value={actor}
          onChange={(e) => {
            setActor(e.target.value);
            set({ actor: e.target.value });
          }}
          className="w-52"
        />
        <datalist id="audit-actors">
          {(facets.data?.actors ?? []).map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </Field>
      <Field label="From" htmlFor="audit-from">
        <Input
          type="datetime-local"
          step={1}
          id="audit-from"
          aria-label="From"
          value={toLocalInput(values.from)}
          onChange={(e) => set({ from: fromLocalInput(e.target.value) })}
          className="w-52"
        />
      </Field>
      <Field label="To" htmlFor="audit-to">
        <Input
          type="datetime-local"
          step={1}
          id="audit-to"
          aria-label="To"
          value={toLocalInput(values.to)}
          onChange={(e) => set({ to: fromLocalInput(e.target.value) })}
          className="w-52"
        />
      </Field>
      {filters.filtered && (
        <Button
          variant="ghost"
          size="sm"
          onClick={() => {
            setActor("");
            filters.clear();
          }}
        >
          Clear filters
        </Button>
      )}
    </div>
  );
}
