"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ModelDetailData } from "@/components/models/types";
import { useTRPC } from "@/components/providers/trpc";
import { WithReason } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { ReleasePolicyPanel } from "@/components/releases/release-policy-panel";
import { Badge, Button, Card, CardContent } from "@/components/ui";
import { MovePointerForm } from "@/components/versioning/move-pointer-form";
import { PointerHistory } from "@/components/versioning/pointer-history";

/** Current aliases, a form to move one, and the deployment log with one-click rollback. */
export function AliasesPanel({ model }: { model: ModelDetailData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, role } = useProjectAccess();
  const history = useQuery(trpc.models.aliasHistory.queryOptions({ modelId: model.id }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.models.get.queryKey({ id: model.id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.models.aliasHistory.queryKey({ modelId: model.id }) }),
    ]);
  const move = useMutation(trpc.models.moveAlias.mutationOptions({ onSuccess: () => void refresh() }));
  const mayWrite = can("models:write");

  return (
    <section className="flex flex-col gap-4" aria-label="Aliases and deployments">
      <div className="grid grid-cols-[1fr_2fr] gap-4">
        <Card>
          <CardContent className="pt-4">
            <h3 className="mb-2 font-medium text-sm">Current aliases</h3>
            {model.aliases.length === 0 ? (
              <p className="text-muted-foreground text-sm">
                No aliases yet. Point `production` at a version to deploy it.
              </p>
            ) : (
              <ul className="flex flex-col gap-1.5 text-sm">
                {model.aliases.map((a) => (
                  <li key={a.name} className="flex items-center justify-between">
                    <Badge tone={a.name === "production" ? "success" : "accent"}>{a.name}</Badge>
                    <span className="font-mono text-xs">v{a.version}</span>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
        {!mayWrite && (
          <Card>
            <CardContent className="flex flex-col items-start gap-2 pt-4">
              <h3 className="font-medium text-sm">Move an alias</h3>
              <WithReason why={deniedReason(role, "models:write")}>
                <Button disabled title={deniedReason(role, "models:write")}>
                  Move alias
                </Button>
              </WithReason>
              <p className="text-muted-foreground text-xs">{deniedReason(role, "models:write")}.</p>
            </CardContent>
          </Card>
        )}
        {mayWrite && (
          <MovePointerForm
            field="alias"
            heading="Move an alias"
            versions={model.versions}
            suggestions={["production", "staging", "champion", "canary", ...model.aliases.map((a) => a.name)]}
            error={move.error}
            pending={move.isPending}
            mayOverride={can("releases:write")}
            onMove={(alias, version, reason, override) =>
              move.mutateAsync({ modelId: model.id, alias, version, reason, overridePolicy: override ?? false })
            }
          />
        )}
      </div>
      <ReleasePolicyPanel subjectType="model" subjectId={model.id} noun="alias" />
      <PointerHistory
        field="alias"
        title="Deployment log"
        history={history}
        nameOf={(e) => e.alias}
        mayWrite={mayWrite}
        confirmRollback
        onMove={(alias, version, reason) => move.mutateAsync({ modelId: model.id, alias, version, reason })}
      />
    </section>
  );
}
