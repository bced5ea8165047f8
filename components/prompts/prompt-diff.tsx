"use client";

import { useQuery } from "@tanstack/react-query";
import type { PromptDetailData } from "@/components/prompts/types";
import { useTRPC } from "@/components/providers/trpc";
import { Badge, Card, CardContent, ErrorState, LoadingState } from "@/components/ui";
import { DiffHunks } from "@/components/versioning/diff-hunks";
import { useVersionPair, VersionPairPicker } from "@/components/versioning/version-pair";

/** Template and config differences between any two versions. */
export function PromptDiff({ prompt }: { prompt: PromptDetailData }) {
  const trpc = useTRPC();
  const versions = prompt.versions.map((v) => v.version);
  const pair = useVersionPair(versions);
  const { from, to } = pair;
  const diff = useQuery(trpc.prompts.diff.queryOptions({ promptId: prompt.id, from, to }));
  const template = diff.data?.template;
  const config = diff.data?.config ?? [];
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <div className="flex items-center gap-2 text-sm">
          <VersionPairPicker versions={versions} pair={pair} />
          {diff.data && (
            <span className="text-muted-foreground text-xs">
              <span className="text-success">+{diff.data.stats.additions}</span>{" "}
              <span className="text-danger">−{diff.data.stats.deletions}</span>
              {diff.data.stats.configChanges ? ` · ${diff.data.stats.configChanges} config change(s)` : ""}
            </span>
          )}
        </div>
        {diff.isLoading ? (
          <LoadingState label="Comparing…" />
        ) : diff.error ? (
          <ErrorState message={diff.error.message} />
        ) : diff.data?.identical ? (
          <p className="text-muted-foreground text-sm">The two versions are identical.</p>
        ) : template?.kind === "chat" ? (
          template.messages
            .filter((m) => m.status !== "unchanged")
            .map((m) => (
              <div key={`${m.oldIndex}-${m.newIndex}`} className="flex flex-col gap-1">
                <div className="flex items-center gap-2 text-xs">
                  <Badge tone={m.status === "added" ? "success" : m.status === "removed" ? "danger" : "warning"}>
                    {m.status}
                  </Badge>
                  message {(m.newIndex ?? m.oldIndex ?? 0) + 1} (
                  {m.roleChanged ? `${m.oldRole} → ${m.newRole}` : (m.newRole ?? m.oldRole)})
                </div>
                <DiffHunks diff={m.content} />
              </div>
            ))
        ) : template ? (
          <DiffHunks diff={template} />
        ) : null}
        {config.length > 0 && (
          <div className="flex flex-col gap-1 text-xs">
            <h3 className="font-medium text-sm">Config</h3>
            {config.map((c) => (
              <div key={c.key} className="font-mono">
                <Badge tone={c.change === "added" ? "success" : c.change === "removed" ? "danger" : "warning"}>
                  {c.change}
                </Badge>{" "}
                {c.key}:{" "}
                {c.change !== "added" && <span className="text-danger line-through">{JSON.stringify(c.oldValue)}</span>}{" "}
                {c.change !== "removed" && <span className="text-success">{JSON.stringify(c.newValue)}</span>}
              </div>
            ))}
          </div>
        )}
      </CardContent>
    </Card>
  );
}
