"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useDeferredValue } from "react";

const AUDIT_FILTERS = ["resource", "action", "actor", "from", "to"] as const;
export type AuditFilterName = (typeof AUDIT_FILTERS)[number];

/**
 * The audit log's filters and page live in the URL (`?resource=model&from=…`), so a filtered view can be shared,
 * bookmarked and reloaded. Times are ISO instants in the URL; the inputs show them in local time.
 */
export function useAuditFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const values = Object.fromEntries(AUDIT_FILTERS.map((name) => [name, params.get(name) ?? ""])) as Record<
    AuditFilterName,
    string
  >;
  const page = Math.max(1, Number(params.get("page")) || 1);
  const deferred = useDeferredValue({ values, page });

  const replace = (changes: Partial<Record<AuditFilterName | "page", string>>) => {
    const next = new URLSearchParams(params.toString());
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };

  return {
    values,
    page,
    /** The list input: set filters only. */
    query: {
      page: deferred.page,
      ...Object.fromEntries(Object.entries(deferred.values).filter(([, v]) => v !== "")),
    } as { page: number } & Partial<Record<AuditFilterName, string>>,
    /** Sets filters (and goes back to page 1). */
    set: (changes: Partial<Record<AuditFilterName, string>>) => replace({ ...changes, page: "" }),
    setPage: (next: number) => replace({ page: next > 1 ? String(next) : "" }),
    clear: () => replace(Object.fromEntries([...AUDIT_FILTERS, "page"].map((n) => [n, ""]))),
    filtered: AUDIT_FILTERS.some((name) => values[name] !== ""),
  };
}

/** An ISO instant as a datetime-local input's value (local time, to the second); "" for none. */
export function toLocalInput(iso: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}

/** A datetime-local input's value (local time) as an ISO instant; "" for none. */
export function fromLocalInput(value: string): string {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}
