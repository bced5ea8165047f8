"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { formatMoney } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { Input } from "@/components/ui";

/** Training tokens with OpenAI's default epoch heuristic, and the cost at a price per 1M training tokens. */
export function TrainingEstimate({ versionId }: { versionId: string }) {
  const trpc = useTRPC();
  const [price, setPrice] = useState("");
  const estimate = useQuery(
    trpc.datasets.estimate.queryOptions({ versionId, pricePerMillionTokens: price ? Number(price) : undefined }),
  );
  const e = estimate.data;
  return (
    <div className="flex flex-col gap-1 rounded-lg border border-border bg-card p-4" data-testid="training-estimate">
      <span className="text-muted-foreground text-xs">Training estimate</span>
      <span className="font-semibold text-lg">{e ? `${e.trainingTokens.toLocaleString("en-US")} tokens` : "—"}</span>
      <span className="text-muted-foreground text-xs">
        {e ? `${e.epochs} epochs × ${e.billingTokens.toLocaleString("en-US")}` : ""}
        {e?.cost !== undefined ? ` · ${formatMoney(e.cost)}` : ""}
      </span>
      <Input
        aria-label="Price per 1M training tokens"
        placeholder="$ per 1M tokens"
        value={price}
        onChange={(ev) => setPrice(ev.target.value)}
        className="h-7 text-xs"
      />
    </div>
  );
}
