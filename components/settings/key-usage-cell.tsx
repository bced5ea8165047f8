"use client";

import { formatDateTime, formatMoney } from "@/components/format";
import { ProgressBar, type ProgressTone } from "@/components/ui";
import type { LimitedKey } from "./key-limits-dialog";

export interface KeyUsage {
  requestsPerMinute: number;
  tokensPerMinute: number;
  spentUsd: number;
  periodEndsAt: Date | string | null;
}

const tone = (percent: number): ProgressTone => (percent >= 100 ? "danger" : percent >= 80 ? "warning" : "primary");

function Meter({
  label,
  used,
  limit,
  shown,
  title,
}: {
  label: string;
  used: number;
  limit: number;
  shown: string;
  title?: string;
}) {
  const percent = (used / limit) * 100;
  return (
    <div className="flex flex-col gap-1" title={title}>
      <div className="flex justify-between gap-3 text-xs">
        <span className="text-muted-foreground">{label}</span>
        <span className="tabular-nums">{shown}</span>
      </div>
      <ProgressBar value={percent} tone={tone(percent)} showValue={false} label={undefined} />
    </div>
  );
}

/** Usage against each limit the key has: this minute's requests and tokens, this period's spend. */
export function KeyUsageCell({ apiKey, usage }: { apiKey: LimitedKey; usage: KeyUsage | undefined }) {
  const { requestsPerMinute: rpm, tokensPerMinute: tpm, budgetUsd, budgetPeriod } = apiKey;
  if (!rpm && !tpm && !budgetUsd) return <span className="text-muted-foreground text-sm">No limits</span>;
  const u = usage ?? { requestsPerMinute: 0, tokensPerMinute: 0, spentUsd: 0, periodEndsAt: null };
  return (
    <div className="flex w-52 flex-col gap-2" data-testid={`usage-${apiKey.id}`}>
      {rpm ? (
        <Meter
          label="Requests / min"
          used={u.requestsPerMinute}
          limit={rpm}
          shown={`${u.requestsPerMinute.toLocaleString("en")} / ${rpm.toLocaleString("en")}`}
        />
      ) : null}
      {tpm ? (
        <Meter
          label="Tokens / min"
          used={u.tokensPerMinute}
          limit={tpm}
          shown={`${u.tokensPerMinute.toLocaleString("en")} / ${tpm.toLocaleString("en")}`}
        />
      ) : null}
      {budgetUsd && budgetPeriod ? (
        <Meter
          label={budgetPeriod === "day" ? "Spend today" : `Spend this ${budgetPeriod}`}
          used={u.spentUsd}
          limit={budgetUsd}
          shown={`${formatMoney(u.spentUsd)} / ${formatMoney(budgetUsd)}`}
          title={u.periodEndsAt ? `Resets ${formatDateTime(u.periodEndsAt)}` : undefined}
        />
      ) : null}
    </div>
  );
}
