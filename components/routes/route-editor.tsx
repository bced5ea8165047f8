"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { Button, Card, CardContent, Field, Input, toast } from "@/components/ui";
import { RouteConfigEditor } from "./route-config-editor";
import { serverIssues } from "./route-source-editor";
import type { RouteDetailData } from "./types";
import { READ_ONLY_REASON, WhyDisabled } from "./write-access";

/** Saves a new version (made active) from the active version's text. */
export function RouteEditor({ route, onSaved }: { route: RouteDetailData; onSaved: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const base = route.versions.find((v) => v.active) ?? route.versions[0];
  const [source, setSource] = useState(base?.source ?? "");
  const [message, setMessage] = useState("");
  const save = useMutation(trpc.routes.saveVersion.mutationOptions());
  const { can, isLoading } = useProjectAccess();
  const readOnly = !isLoading && !can("gateway:write");
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <p className="text-muted-foreground text-sm">
          {readOnly
            ? `The config of v${base?.version}, read-only.`
            : `Editing from v${base?.version}. Saving creates v${route.latestVersion + 1} and makes it active at once.`}
        </p>
        <RouteConfigEditor
          value={source}
          onChange={(next) => {
            setSource(next);
            if (save.error) save.reset();
          }}
          saveIssues={serverIssues(save.error)}
          readOnly={readOnly}
        />
        <Field label="Commit message" htmlFor="route-commit">
          <Input id="route-commit" value={message} readOnly={readOnly} onChange={(e) => setMessage(e.target.value)} />
        </Field>
        <FormError error={save.error} fields={["source"]} />
        <div>
          <WhyDisabled reason={readOnly ? READ_ONLY_REASON : null}>
            <Button
              disabled={save.isPending || readOnly}
              onClick={async () => {
                try {
                  const saved = await save.mutateAsync({ routeId: route.id, source, commitMessage: message });
                  toast.success(`Saved v${saved.version} (active)`);
                  void queryClient.invalidateQueries({ queryKey: trpc.routes.get.queryKey({ id: route.id }) });
                  void queryClient.invalidateQueries({ queryKey: trpc.routes.list.queryKey() });
                  onSaved();
                } catch {
                  // shown above
                }
              }}
            >
              Save version
            </Button>
          </WhyDisabled>
        </div>
      </CardContent>
    </Card>
  );
}
