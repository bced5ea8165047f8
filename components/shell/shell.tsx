"use client";

import { Waypoints } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { FOOTER_NAV, MAIN_NAV, type NavItem } from "@/components/shell/nav";
import { ProjectSwitcher, type SwitcherOrg } from "@/components/shell/project-switcher";
import { UserMenu } from "@/components/shell/user-menu";
import { cn } from "@/components/ui";

export interface ShellProps {
  projectId: string;
  organizations: SwitcherOrg[];
  user: { email: string; name: string };
  children: ReactNode;
}

export function Shell({ projectId, organizations, user, children }: ShellProps) {
  const pathname = usePathname();
  const base = `/projects/${projectId}`;
  const link = (item: NavItem) => {
    const href = `${base}/${item.segment}`;
    const active = pathname === href || pathname.startsWith(`${href}/`);
    const Icon = item.icon;
    return (
      <Link
        key={item.segment}
        href={href}
        aria-current={active ? "page" : undefined}
        className={cn(
          "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm transition-colors",
          active
            ? "bg-accent-soft font-medium text-accent-foreground"
            : "text-muted-foreground hover:bg-muted hover:text-foreground",
        )}
      >
        <Icon className="size-4 shrink-0" aria-hidden />
        {item.label}
      </Link>
    );
  };
  return (
    <div className="flex min-h-screen bg-background text-foreground">
      <aside className="sticky top-0 flex h-screen w-60 shrink-0 flex-col border-border border-r bg-card">
        <div className="flex h-14 items-center gap-2 border-border border-b px-4">
          <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
            <Waypoints className="size-4" aria-hidden />
          </span>
          <span className="font-semibold tracking-tight">Switchyard</span>
        </div>
        <div className="p-3">
          <ProjectSwitcher organizations={organizations} projectId={projectId} />
        </div>
        <nav aria-label="Main" className="flex flex-1 flex-col gap-0.5 px-3">
          {MAIN_NAV.map(link)}
        </nav>
        <nav aria-label="Project" className="flex flex-col gap-0.5 border-border border-t px-3 py-3">
          {FOOTER_NAV.map(link)}
        </nav>
        <div className="border-border border-t p-3">
          <UserMenu user={user} />
        </div>
      </aside>
      <main className="min-w-0 flex-1">
        <div className="mx-auto flex w-full max-w-6xl flex-col gap-6 px-8 py-8">{children}</div>
      </main>
    </div>
  );
}
