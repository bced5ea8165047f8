"use client";

import { useMutation } from "@tanstack/react-query";
import { CircleCheck, CircleX, PlugZap } from "lucide-react";
import { useTRPC } from "@/components/providers/trpc";
import { WithReason } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { Button } from "@/components/ui";

type Target =
  | { modelId: string; versionId: string }
  | { modelId: string; endpointBaseUrl: string; upstreamModelId: string; apiKey?: string };

/**
 * "Test connection": one call to the upstream through the server (nothing saved), and what came of it in words
 * with the latency, beside the button. `label` names the button (one per version row needs its own name).
 */
export function ConnectionTest({ target, label = "Test connection" }: { target: Target; label?: string }) {
  const trpc = useTRPC();
  const { can, role } = useProjectAccess();
  const test = useMutation(trpc.models.testConnection.mutationOptions());
  const result = test.data;
  const allowed = can("models:write");
  const run = () =>
    test.mutate(
      !("endpointBaseUrl" in target)
        ? { modelId: target.modelId, versionId: target.versionId }
        : {
            modelId: target.modelId,
            endpointBaseUrl: target.endpointBaseUrl.trim() || undefined,
            upstreamModelId: target.upstreamModelId.trim() || undefined,
            apiKey: target.apiKey || undefined,
          },
    );

  return (
    <div className="flex min-w-0 flex-wrap items-center gap-2">
      <WithReason why={allowed ? undefined : deniedReason(role, "models:write")}>
        <Button
          type="button"
          variant="secondary"
          size="sm"
          onClick={run}
          loading={test.isPending}
          disabled={!allowed}
          title={allowed ? undefined : deniedReason(role, "models:write")}
          aria-label={label}
        >
          <PlugZap className="size-4" aria-hidden /> Test connection
        </Button>
      </WithReason>
      <output aria-live="polite" data-testid="connection-result" className="min-w-0 text-sm">
        {test.isPending ? null : test.error ? (
          <span className="text-danger">{test.error.message}</span>
        ) : result ? (
          <span
            className={`inline-flex items-start gap-1 ${result.outcome === "reachable" ? "text-success" : "text-danger"}`}
          >
            {result.outcome === "reachable" ? (
              <CircleCheck className="mt-0.5 size-4 shrink-0" aria-hidden />
            ) : (
              <CircleX className="mt-0.5 size-4 shrink-0" aria-hidden />
            )}
            <span className="break-words">
              {result.message}
              {result.outcome !== "reachable" && result.latencyMs !== null ? ` (after ${result.latencyMs} ms)` : ""}
            </span>
          </span>
        ) : null}
      </output>
    </div>
  );
}
