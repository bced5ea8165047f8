"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { isRangePreset, RANGE_PRESETS, type RangePreset } from "@/lib/monitoring-ranges";

const MINUTE_MS = 60_000;

export interface DashboardWindow {
  from: Date;
  to: Date;
}

/**
 * The dashboard's range: `?range=` when the user chose one (kept in the URL,
 * so a link shows the same view), else the one the server suggests from
 * where the traffic is. The window ends at the next whole minute and moves
 * on every minute, so new traffic comes into view without a reload.
 */
export function useDashboardRange() {
  const trpc = useTRPC();
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const chosen = search.get("range");
  const explicit = isRangePreset(chosen) ? chosen : null;
  const suggestion = useQuery({
    ...trpc.monitoring.suggestRange.queryOptions(),
    enabled: explicit === null,
    staleTime: Number.POSITIVE_INFINITY,
    // Until there is traffic, look again now and then: the first requests then choose the range.
    refetchInterval: (query) =>
      query.state.data && Object.values(query.state.data.counts).every((count) => count === 0) ? 15_000 : false,
  });
  const range: RangePreset | undefined = explicit ?? suggestion.data?.range;
  const compare = search.get("compare") === "1";

  const [minute, setMinute] = useState(() => Math.ceil(Date.now() / MINUTE_MS));
  useEffect(() => {
    const timer = setInterval(() => setMinute(Math.ceil(Date.now() / MINUTE_MS)), 10_000);
    return () => clearInterval(timer);
  }, []);

  const windows = useMemo(() => {
    if (!range) return null;
    const spanMs = RANGE_PRESETS[range] * 1000;
    const to = new Date(minute * MINUTE_MS);
    const from = new Date(to.getTime() - spanMs);
    const current: DashboardWindow = { from, to };
    const previous: DashboardWindow = { from: new Date(from.getTime() - spanMs), to: from };
    return { current, previous, spanSeconds: RANGE_PRESETS[range] };
  }, [range, minute]);

  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(search.toString());
    if (value === null) next.delete(name);
    else next.set(name, value);
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };

  return {
    range,
    /** True when the range was picked from the traffic, not by the user. */
    suggested: explicit === null,
    windows,
    suggestion,
    compare,
    setRange: (value: RangePreset) => setParam("range", value),
    setCompare: (value: boolean) => setParam("compare", value ? "1" : null),
  };
}
