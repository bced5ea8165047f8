"use client";

import { FileClock } from "lucide-react";
import type { RouterOutputs } from "@/components/providers/trpc";
import { Card, CardContent, ErrorState, LoadingState } from "@/components/ui";

export type PlaygroundDraft = RouterOutputs["playground"]["fromRequest"];

/** What "Open in playground" restored from a logged request, and what it could not. */
export function RequestNotice({
  requestId,
  draft,
  loading,
  error,
}: {
  requestId: string;
  draft: PlaygroundDraft | undefined;
  loading: boolean;
  error: { message: string } | null;
}) {
  if (loading) return <LoadingState label="Loading the logged request…" />;
  if (error) return <ErrorState message={`Request ${requestId} could not be opened: ${error.message}`} />;
  if (!draft) return null;
  return (
    <Card role="region" aria-label="Opened from a logged request">
      <CardContent className="flex flex-col gap-1 pt-4 text-sm">
        <div className="flex flex-wrap items-center gap-2">
          <FileClock className="size-4" aria-hidden />
          <span>
            From request <code className="wrap-anywhere font-mono text-xs">{draft.requestId}</code>
            {draft.model ? (
              <>
                {" "}
                · model <strong>{draft.model}</strong>
              </>
            ) : null}
          </span>
        </div>
        {!draft.bodyLogged ? (
          <p role="status" className="text-muted-foreground">
            The conversation was not logged (request body logging was off for this request), so only the model is
            restored.
          </p>
        ) : !draft.input ? (
          <p role="status" className="text-muted-foreground">
            The logged body holds no conversation the playground can send; only the model and parameters are restored.
          </p>
        ) : (
          <p role="status" className="text-muted-foreground">
            Messages and parameters restored from the logged (masked) body.
            {draft.leftOut.length > 0 && ` Not replayed here: ${draft.leftOut.join(", ")}.`}
          </p>
        )}
      </CardContent>
    </Card>
  );
}
