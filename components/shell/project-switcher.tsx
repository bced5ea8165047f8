"use client";

import { Check, ChevronsUpDown, FolderPlus, Plus } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { CreateProjectDialog } from "@/components/shell/create-project-dialog";
import { cn } from "@/components/ui";

export interface SwitcherOrg {
  id: string;
  name: string;
  role: string | null;
  projects: { id: string; name: string; role: string | null }[];
}

/** Organisation/project picker. Switching keeps the current page (models, settings, …). */
export function ProjectSwitcher({ organizations, projectId }: { organizations: SwitcherOrg[]; projectId: string }) {
  const [open, setOpen] = useState(false);
  const [creating, setCreating] = useState<{ organizationId: string | null } | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const router = useRouter();
  const pathname = usePathname();
  const current = organizations
    .flatMap((o) => o.projects.map((p) => ({ ...p, org: o.name })))
    .find((p) => p.id === projectId);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !ref.current?.contains(event.target as Node))
        setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  const go = (id: string) => {
    setOpen(false);
    const rest = pathname.split("/").slice(3).join("/") || "models";
    router.push(`/projects/${id}/${rest}`);
  };

  return (
    <div ref={ref} className="relative">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
        className="flex w-full items-center gap-2 rounded-md border border-border bg-background px-2.5 py-1.5 text-left hover:bg-muted focus-visible:outline-2 focus-visible:outline-ring"
      >
        {/* Named by its content (not aria-label), so the accessible name contains the text people see. */}
        <span className="sr-only">Switch project: </span>
        <div className="min-w-0 flex-1">
          <div className="truncate text-muted-foreground text-xs">{current?.org ?? "Organisation"}</div>
          <div className="truncate font-medium text-sm">{current?.name ?? "Choose a project"}</div>
        </div>
        <ChevronsUpDown className="size-4 shrink-0 text-muted-foreground" aria-hidden />
      </button>
      {open && (
        <div className="absolute top-full right-0 left-0 z-30 mt-1 max-h-96 overflow-auto rounded-md border border-border bg-popover p-1 shadow-lg">
          {organizations.map((org) => (
            <div key={org.id} className="py-1">
              <div className="px-2 py-1 font-medium text-muted-foreground text-xs uppercase tracking-wide">
                {org.name}
              </div>
              <ul aria-label={`Projects in ${org.name}`}>
                {org.projects.map((p) => (
                  <li key={p.id}>
                    <button
                      type="button"
                      onClick={() => go(p.id)}
                      className={cn(
                        "flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-sm hover:bg-muted",
                        p.id === projectId && "font-medium",
                      )}
                    >
                      <span className="flex-1 truncate">{p.name}</span>
                      {p.id === projectId && <Check className="size-4 text-accent" aria-hidden />}
                    </button>
                  </li>
                ))}
              </ul>
              {(org.role === "owner" || org.role === "admin") && (
                <button
                  type="button"
                  onClick={() => {
                    setOpen(false);
                    setCreating({ organizationId: org.id });
                  }}
                  className="flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-muted-foreground text-sm hover:bg-muted hover:text-foreground"
                >
                  <Plus className="size-4" aria-hidden /> New project
                </button>
              )}
            </div>
          ))}
          <div className="border-border border-t pt-1">
            <button
              type="button"
              onClick={() => {
                setOpen(false);
                setCreating({ organizationId: null });
              }}
              className="flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-muted-foreground text-sm hover:bg-muted hover:text-foreground"
            >
              <FolderPlus className="size-4" aria-hidden /> New organisation
            </button>
          </div>
        </div>
      )}
      <CreateProjectDialog
        target={creating}
        onClose={() => setCreating(null)}
        onCreated={(id) => {
          setCreating(null);
          router.push(`/projects/${id}/models`);
          router.refresh();
        }}
      />
    </div>
  );
}
