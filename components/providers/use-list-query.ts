"use client";

import { type ChangeEvent, useDeferredValue, useState } from "react";

/** What a query hook returns that a table shows: its data, whether it is loading, its error, a retry. */
export interface QueryState<TData> {
  data?: TData;
  isLoading: boolean;
  error: { message: string } | null;
  refetch: () => unknown;
}

/** DataTable's rows and loading, error and retry states for a query that returns an array. */
export function tableState<T>(query: QueryState<T[]>) {
  return { rows: query.data, loading: query.isLoading, error: query.error, onRetry: () => void query.refetch() };
}

/**
 * The state of a list page or panel: the page, and filters (search boxes and selects, as strings,
 * "" for none) that take the list back to page 1 when they change. `query` is that state deferred,
 * so typing in a search box stays smooth: fetch with it, and keep the previous page on screen while
 * the next one loads (`placeholderData: keepPreviousData`).
 *
 *   const list = useListQuery({ search: "", status: "" });
 *   const routes = useQuery({ ...trpc.routes.list.queryOptions(list.query), placeholderData: keepPreviousData });
 *   <DataTable {...list.table(routes)} toolbar={<Input {...list.bind("search")} />} />
 */
export function useListQuery<F extends Record<string, string>>(initialFilters: F, { pageSize = 20 } = {}) {
  const [state, setState] = useState({ page: 1, filters: initialFilters });
  const deferred = useDeferredValue(state);
  const setPage = (page: number) => setState((s) => ({ ...s, page }));
  const setFilter = (name: keyof F, value: string) =>
    setState((s) => ({ page: 1, filters: { ...s.filters, [name]: value } }));
  return {
    filters: state.filters,
    /** True when any filter is set: the empty state says "no match" rather than "nothing yet". */
    filtered: Object.values(state.filters).some(Boolean),
    setFilter,
    /** The page and the filters to fetch with (unset ones undefined). */
    query: { page: deferred.page, pageSize, ...setFilters(deferred.filters) },
    /** `value` and `onChange` for the Input or Select of one filter. */
    bind: (name: keyof F) => ({
      value: state.filters[name],
      onChange: (event: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setFilter(name, event.target.value),
    }),
    /** DataTable's rows, states and pager for a query that returns one page: `{ items, total }`. */
    table: <T>(query: QueryState<{ items: T[]; total: number }>) => ({
      rows: query.data?.items,
      loading: query.isLoading,
      error: query.error,
      onRetry: () => void query.refetch(),
      page: state.page,
      pageSize,
      total: query.data?.total,
      onPageChange: setPage,
    }),
  };
}

/** The filters that are set; "" (no filter) becomes undefined. */
function setFilters<F extends Record<string, string>>(filters: F): { [K in keyof F]?: string } {
  return Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, v || undefined])) as {
    [K in keyof F]?: string;
  };
}
