"use client";

import { type LucideIcon, Plus } from "lucide-react";
import { type ReactNode, useState } from "react";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { Button } from "@/components/ui";
import type { Scope } from "@/lib/scopes";

/**
 * A list page's "New …" action: the button for the page header (with an icon), the one for the empty
 * state, and the dialog's open state. Without the scope the buttons are disabled and say why (`deniedReason`).
 *
 *   const create = useCreateDialog("prompts:write", "New prompt");
 *   <PageHeader actions={create.button} />  …  <EmptyState action={create.emptyAction} />
 *   <CreatePromptDialog {...create.dialog} />
 */
export function useCreateDialog(scope: Scope, label: string, Icon: LucideIcon = Plus) {
  const { can, role, isLoading } = useProjectAccess();
  const [open, setOpen] = useState(false);
  const allowed = can(scope);
  const why = allowed || isLoading ? undefined : deniedReason(role, scope);
  return {
    button: (
      <WithReason why={why}>
        <Button onClick={() => setOpen(true)} disabled={!allowed} title={why}>
          <Icon className="size-4" aria-hidden /> {label}
        </Button>
      </WithReason>
    ),
    emptyAction: (
      <WithReason why={why}>
        <Button onClick={() => setOpen(true)} disabled={!allowed} title={why}>
          {label}
        </Button>
      </WithReason>
    ),
    dialog: { open, onOpenChange: setOpen },
  };
}

/**
 * Shows why a disabled control is disabled on hover: a disabled button takes no pointer events, so its own
 * title never shows; the wrapper's does. Without a reason it renders the control alone.
 */
export function WithReason({ why, children }: { why: string | undefined; children: ReactNode }) {
  if (!why) return children;
  return (
    <span title={why} className="inline-flex cursor-not-allowed">
      {children}
    </span>
  );
}
