"use client";

import { type LucideIcon, Plus } from "lucide-react";
import { useState } from "react";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { Button } from "@/components/ui";
import type { Scope } from "@/lib/scopes";

/**
 * A list page's "New …" action: the button for the page header (with an icon), the one for the empty
 * state, and the dialog's open state. Without the scope there are no buttons (the server checks anyway).
 *
 *   const create = useCreateDialog("prompts:write", "New prompt");
 *   <PageHeader actions={create.button} />  …  <EmptyState action={create.emptyAction} />
 *   <CreatePromptDialog {...create.dialog} />
 */
export function useCreateDialog(scope: Scope, label: string, Icon: LucideIcon = Plus) {
  const { can } = useProjectAccess();
  const [open, setOpen] = useState(false);
  const allowed = can(scope);
  return {
    button: allowed ? (
      <Button onClick={() => setOpen(true)}>
        <Icon className="size-4" aria-hidden /> {label}
      </Button>
    ) : null,
    emptyAction: allowed ? <Button onClick={() => setOpen(true)}>{label}</Button> : undefined,
    dialog: { open, onOpenChange: setOpen },
  };
}
