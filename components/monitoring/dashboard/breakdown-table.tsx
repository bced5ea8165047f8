"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { formatMoney } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { Card, CardContent, ErrorState, Select } from "@/components/ui";
import { ScrollBox } from "@/components/ui/scroll-box";
import { formatMs, formatPercent } from "./units";
import type { DashboardWindow } from "./use-dashboard-range";

const BY = [
  ["model", "Model version"],
  ["prompt", "Prompt version"],
  ["variant", "Experiment variant"],
  ["key", "API key"],
] as const;

/** Latency, errors, tokens and cost per model version, prompt version, variant or key. */
export function BreakdownTable({ window }: { window: DashboardWindow }) {
  const trpc = useTRPC();
  const [by, setBy] = useState<(typeof BY)[number][0]>("model");
  const breakdown = useQuery(trpc.monitoring.breakdown.queryOptions({ ...window, by }));
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 className="font-medium text-sm">Breakdown</h2>
          <Select
            aria-label="Break down by"
            value={by}
            onChange={(e) => setBy(e.target.value as typeof by)}
            className="w-48"
          >
            {BY.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        </div>
        {breakdown.error ? (
          <ErrorState message={breakdown.error.message} onRetry={() => void breakdown.refetch()} />
        ) : (
          <ScrollBox label="Breakdown (scrolls sideways)">
            <table className="w-full min-w-[40rem] text-sm">
              <thead className="text-left text-muted-foreground text-xs">
                <tr>
                  <th className="py-1.5 font-medium">Group</th>
                  <th className="font-medium">Requests</th>
                  <th className="font-medium">Share</th>
                  <th className="font-medium">p50 / p95</th>
                  <th className="font-medium">TTFT p50</th>
                  <th className="font-medium">Errors</th>
                  <th className="font-medium">Tokens out</th>
                  <th className="font-medium">Cost</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {(breakdown.data?.rows ?? []).map((r) => (
                  <tr key={r.key ?? "none"}>
                    <td className="py-2 pr-3 font-medium">{r.label ?? r.key ?? "—"}</td>
                    <td>{r.requests.toLocaleString("en-US")}</td>
                    <td>{formatPercent(r.share)}</td>
                    <td>
                      {formatMs(r.latencyMs.p50)} / {formatMs(r.latencyMs.p95)}
                    </td>
                    <td>{formatMs(r.ttftMs.p50)}</td>
                    <td>{formatPercent(r.errorRate)}</td>
                    <td>{r.tokensOut.toLocaleString("en-US")}</td>
                    <td>{formatMoney(r.costUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
        )}
      </CardContent>
    </Card>
  );
}
