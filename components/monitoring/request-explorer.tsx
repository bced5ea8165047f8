"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { ListX } from "lucide-react";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { AddToDatasetDialog } from "@/components/monitoring/explorer/add-to-dataset";
import { ColumnChooser, explorerColumns, useColumnChoice } from "@/components/monitoring/explorer/columns";
import { FilterBar } from "@/components/monitoring/explorer/filter-bar";
import { RequestDetail, type RequestItem } from "@/components/monitoring/request-detail";
import { useTRPC } from "@/components/providers/trpc";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { Button, Checkbox, DataTable, type DataTableColumn, Dialog, EmptyState, Select } from "@/components/ui";
import { MAX_REQUESTS_PER_ADD } from "@/lib/dataset-forms";
import {
  EXPLORER_RANGES,
  type ExplorerRange,
  type ExplorerUrlState,
  readExplorerUrl,
  writeExplorerUrl,
} from "@/lib/request-explorer";

const RANGE_LABELS: Record<ExplorerRange, string> = {
  "15m": "Last 15 minutes",
  "1h": "Last hour",
  "6h": "Last 6 hours",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
};

/**
 * The raw request log, newest first, with keyset paging, filters kept in the URL (shareable; Back undoes a
 * filter) and a detail view. Embedded in a page that owns the time range, pass `from`/`to`; alone it offers
 * its own range, in the URL too.
 */
export function RequestExplorer({ from, to }: { from?: Date; to?: Date } = {}) {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const query = params.toString();
  const state = useMemo(() => readExplorerUrl(new URLSearchParams(query)), [query]);
  // Pinned per URL, so the query key is stable between renders; Refresh moves it to now.
  const [refreshed, setRefreshed] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `refreshed` is the signal to take a new "now"
  const window = useMemo(() => {
    if (from && to) return { from, to };
    if (state.range === "custom" && state.from && state.to) return { from: state.from, to: state.to };
    const end = new Date();
    return { from: new Date(end.getTime() - EXPLORER_RANGES[state.range as ExplorerRange] * 1000), to: end };
  }, [from, to, state, refreshed]);
  const navigate = (next: ExplorerUrlState) => {
    const qs = writeExplorerUrl(new URLSearchParams(query), next).toString();
    router.push(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };

  const settings = useQuery(trpc.projects.settings.queryOptions({}));
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ includeRevoked: true }));
  const keyNames = useMemo(() => new Map(keys.data?.map((k) => [k.id, k.name])), [keys.data]);
  const { shown, toggle } = useColumnChoice();
  const [open, setOpen] = useState<RequestItem | null>(null);
  // Requests picked for "Add to dataset" (by id, kept across pages and refreshes).
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [adding, setAdding] = useState(false);
  const access = useProjectAccess();
  const addDenied =
    access.isLoading || access.can("datasets:write") ? undefined : deniedReason(access.role, "datasets:write");
  const toggleSelected = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const pages = useInfiniteQuery(
    trpc.monitoring.requests.infiniteQueryOptions(
      { ...window, ...state.filters, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const rows = pages.data?.pages.flatMap((p) => p.items);
  const columns: DataTableColumn<RequestItem>[] = [
    {
      key: "select",
      header: <span className="sr-only">Select</span>,
      className: "w-8",
      cell: (r) => (
        <Checkbox
          aria-label={`Select request ${r.id}`}
          checked={selected.has(r.id)}
          disabled={!selected.has(r.id) && selected.size >= MAX_REQUESTS_PER_ADD}
          onChange={(e) => toggleSelected(r.id, e.target.checked)}
        />
      ),
    },
    ...explorerColumns((id) => keyNames.get(id)).filter((c) => shown.includes(c.key)),
    {
      key: "open",
      header: <span className="sr-only">Details</span>,
      className: "w-24 text-right",
      cell: (r) => (
        <Button size="sm" variant="ghost" onClick={() => setOpen(r)}>
          Details
        </Button>
      ),
    },
  ];
  const bodiesStored = settings.data ? settings.data.requestBodyLogging !== "none" : undefined;

  return (
    <>
      <div className="flex flex-wrap items-end justify-between gap-2">
        {!(from && to) && (
          <div className="flex flex-wrap items-center gap-2">
            <Select
              aria-label="Time range"
              className="w-44"
              value={state.range}
              onChange={(e) => navigate({ ...state, range: e.target.value as ExplorerRange })}
            >
              {Object.entries(RANGE_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
              {state.range === "custom" && <option value="custom">Custom range</option>}
            </Select>
            <Button variant="secondary" onClick={() => setRefreshed((n) => n + 1)} loading={pages.isFetching}>
              Refresh
            </Button>
          </div>
        )}
        <div className="flex flex-wrap items-center gap-2">
          {selected.size > 0 && (
            <>
              <span className="text-muted-foreground text-sm">{selected.size} selected</span>
              <Button variant="ghost" size="sm" onClick={() => setSelected(new Set())}>
                Clear
              </Button>
            </>
          )}
          <Button
            variant="secondary"
            onClick={() => setAdding(true)}
            disabled={selected.size === 0 || Boolean(addDenied)}
            title={addDenied ?? (selected.size === 0 ? "Select requests first (bodies must be logged)" : undefined)}
          >
            Add to dataset…
          </Button>
          <ColumnChooser shown={shown} toggle={toggle} />
        </div>
      </div>
      <DataTable
        caption="Requests"
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        loading={pages.isLoading}
        error={pages.error}
        onRetry={() => void pages.refetch()}
        toolbar={
          <FilterBar
            // Remounted when the URL changes (Back, a shared link), so the fields show what is applied.
            key={query}
            filters={state.filters}
            bodiesStored={bodiesStored}
            onApply={(filters) => navigate({ ...state, filters })}
          />
        }
        empty={
          <EmptyState icon={ListX} title="No requests match" description="Widen the time range or clear filters." />
        }
      />
      {pages.hasNextPage && (
        <Button
          variant="secondary"
          className="self-center"
          loading={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          Load older requests
        </Button>
      )}
      {adding && (
        <AddToDatasetDialog
          open
          onOpenChange={setAdding}
          requestIds={[...selected]}
          onAdded={() => setSelected(new Set())}
        />
      )}
      <Dialog open={open !== null} onOpenChange={(o) => !o && setOpen(null)} title="Request" className="max-w-2xl">
        {open && <RequestDetail item={open} projectId={projectId} />}
      </Dialog>
    </>
  );
}
