"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Lock, LockOpen } from "lucide-react";
import type { PromptDetailData } from "@/components/prompts/types";
import { useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { ReleasePolicyPanel } from "@/components/releases/release-policy-panel";
import { Badge, Button, Card, CardContent, toast } from "@/components/ui";
import { MovePointerForm } from "@/components/versioning/move-pointer-form";
import { PointerHistory } from "@/components/versioning/pointer-history";

export function PromptLabels({ prompt }: { prompt: PromptDetailData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, role } = useProjectAccess();
  const history = useQuery(trpc.prompts.labelHistory.queryOptions({ promptId: prompt.id }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey({ id: prompt.id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.prompts.labelHistory.queryKey({ promptId: prompt.id }) }),
    ]);
  const move = useMutation(trpc.prompts.moveLabel.mutationOptions({ onSuccess: () => void refresh() }));
  const protect = useMutation(
    trpc.prompts.protectLabel.mutationOptions({
      onSuccess: (r) => {
        toast.success(`${r.label} is ${r.protected ? "protected" : "no longer protected"}`);
        void refresh();
      },
      onError: (e) => toast.error(e.message),
    }),
  );
  const mayWrite = can("prompts:write");
  const isAdmin = role === "owner" || role === "admin";

  return (
    <section className="flex flex-col gap-4" aria-label="Labels">
      <div className="grid grid-cols-1 gap-4 md:grid-cols-[1fr_2fr]">
        <Card>
          <CardContent className="pt-4">
            <h3 className="mb-2 font-medium text-sm">Labels</h3>
            <ul className="flex flex-col gap-1.5 text-sm">
              <li className="flex items-center justify-between">
                <Badge>latest</Badge>
                <span className="font-mono text-xs">v{prompt.latestVersion}</span>
              </li>
              {prompt.labels.map((l) => (
                <li key={l.name} className="flex items-center justify-between gap-2">
                  <Badge tone={l.name === "production" ? "success" : "accent"}>{l.name}</Badge>
                  <span className="flex-1 text-right font-mono text-xs">v{l.version}</span>
                  {isAdmin && (
                    <Button
                      size="icon"
                      variant="ghost"
                      aria-label={`${l.protected ? "Unprotect" : "Protect"} ${l.name}`}
                      title={l.protected ? "Protected: only owners and admins move it" : "Protect"}
                      onClick={() => protect.mutate({ promptId: prompt.id, label: l.name, protected: !l.protected })}
                    >
                      {l.protected ? (
                        <Lock className="size-4" aria-hidden />
                      ) : (
                        <LockOpen className="size-4" aria-hidden />
                      )}
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
        {mayWrite && (
          <MovePointerForm
            field="label"
            heading="Move a label"
            versions={prompt.versions}
            suggestions={["production", "staging", ...prompt.labels.map((l) => l.name)]}
            error={move.error}
            pending={move.isPending}
            mayOverride={can("releases:write")}
            onMove={(label, version, reason, override) =>
              move.mutateAsync({ promptId: prompt.id, label, version, reason, overridePolicy: override ?? false })
            }
          />
        )}
      </div>
      <ReleasePolicyPanel subjectType="prompt" subjectId={prompt.id} noun="label" />
      <PointerHistory
        field="label"
        title="Label history"
        history={history}
        nameOf={(e) => e.label}
        mayWrite={mayWrite}
        onMove={(label, version, reason) => move.mutateAsync({ promptId: prompt.id, label, version, reason })}
      />
    </section>
  );
}
