"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Gauge } from "lucide-react";
import { BreakdownTable } from "@/components/monitoring/dashboard/breakdown-table";
import { OverviewPanel } from "@/components/monitoring/dashboard/overview-panel";
import { SpendPanel } from "@/components/monitoring/dashboard/spend-panel";
import { useDashboardRange } from "@/components/monitoring/dashboard/use-dashboard-range";
import { MonitoringLinks } from "@/components/monitoring/explorer/monitoring-links";
import { OnlineEvalPanel } from "@/components/online-evals/online-eval-panel";
import { useTRPC } from "@/components/providers/trpc";
import { EmptyState, ErrorState, LoadingState, PageHeader, Select } from "@/components/ui";
import { RANGE_NAMES, type RangePreset } from "@/lib/monitoring-ranges";

const windowNever = { from: new Date(0), to: new Date(60_000) };

/** Gateway traffic from the per-minute rollups: rates, latency percentiles, errors, cost, cache; spend; breakdowns; the request explorer. */
export function MonitoringDashboard() {
  const trpc = useTRPC();
  const { range, suggested, windows, suggestion, compare, setRange, setCompare } = useDashboardRange();
  const live = { refetchInterval: 30_000, placeholderData: keepPreviousData, enabled: windows !== null };
  const overview = useQuery({ ...trpc.monitoring.overview.queryOptions(windows?.current ?? windowNever), ...live });
  const previous = useQuery({ ...trpc.monitoring.overview.queryOptions(windows?.previous ?? windowNever), ...live });
  const t = overview.data?.totals;

  return (
    <>
      <PageHeader
        title="Monitoring"
        description="Every gateway request, from per-minute rollups: traffic, latency, time to first token, errors, cost and cache."
        actions={
          <div className="flex items-center gap-2">
            {suggested && range ? (
              <span
                className="text-muted-foreground text-xs"
                title="The shortest range that holds the last day's traffic"
              >
                Picked from your traffic
              </span>
            ) : null}
            <Select
              aria-label="Time range"
              value={range ?? ""}
              onChange={(e) => setRange(e.target.value as RangePreset)}
              className="w-36"
            >
              {range ? null : <option value="">Choosing…</option>}
              {RANGE_NAMES.map((r) => (
                <option key={r} value={r}>
                  Last {r}
                </option>
              ))}
            </Select>
          </div>
        }
      />
      <MonitoringLinks />
      {suggestion.error ? (
        <ErrorState message={suggestion.error.message} onRetry={() => void suggestion.refetch()} />
      ) : !windows ? (
        <LoadingState label="Finding your traffic…" />
      ) : overview.isLoading ? (
        <LoadingState label="Loading metrics…" />
      ) : overview.error ? (
        <ErrorState message={overview.error.message} onRetry={() => void overview.refetch()} />
      ) : !overview.data || !t || t.requests === 0 ? (
        <EmptyState
          icon={Gauge}
          title="No traffic in this range"
          description="Requests through /v1 are logged and charted here. Choose a longer range to see older traffic."
        />
      ) : (
        <>
          <OverviewPanel
            current={overview.data}
            previous={previous.data}
            spanSeconds={windows.spanSeconds}
            compare={compare}
            onCompareChange={setCompare}
          />
          <SpendPanel current={windows.current} previous={windows.previous} spanSeconds={windows.spanSeconds} />
          <BreakdownTable window={windows.current} />
          <OnlineEvalPanel window={windows.current} spanSeconds={windows.spanSeconds} />
        </>
      )}
    </>
  );
}
