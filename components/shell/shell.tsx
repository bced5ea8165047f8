"use client";

import { Menu, Waypoints, X } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { type ReactNode, useEffect, useState } from "react";
import { FOOTER_NAV, MAIN_NAV, type NavItem } from "@/components/shell/nav";
import { ProjectSwitcher, type SwitcherOrg } from "@/components/shell/project-switcher";
import { UserMenu } from "@/components/shell/user-menu";
import { Button, cn } from "@/components/ui";

export interface ShellProps {
  projectId: string;
  organizations: SwitcherOrg[];
  user: { email: string; name: string };
  children: ReactNode;
}

export function Shell({ projectId, organizations, user, children }: ShellProps) {
  const pathname = usePathname();
  // Below the md breakpoint the sidebar is a drawer: closed by default, closed again on every navigation.
  const [drawerOpen, setDrawerOpen] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the pathname is the trigger, not an input.
  useEffect(() => setDrawerOpen(false), [pathname]);
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
  const brand = (
    <>
      <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
        <Waypoints className="size-4" aria-hidden />
      </span>
      <span className="font-semibold tracking-tight">Switchyard</span>
    </>
  );
  return (
    <div className="flex min-h-screen flex-col bg-background text-foreground md:flex-row">
      <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-border border-b bg-card px-3 md:hidden">
        <Button
          variant="ghost"
          size="icon"
          aria-label="Open navigation"
          aria-expanded={drawerOpen}
          aria-controls="shell-sidebar"
          onClick={() => setDrawerOpen(true)}
        >
          <Menu className="size-5" aria-hidden />
        </Button>
        {brand}
      </header>
      {drawerOpen && (
        <div className="fixed inset-0 z-40 bg-black/40 md:hidden" aria-hidden onClick={() => setDrawerOpen(false)} />
      )}
      <aside
        id="shell-sidebar"
        className={cn(
          "w-60 shrink-0 flex-col border-border border-r bg-card",
          "fixed inset-y-0 left-0 z-50 md:sticky md:top-0 md:z-auto md:flex md:h-screen",
          drawerOpen ? "flex" : "hidden",
        )}
      >
        <div className="flex h-14 items-center gap-2 border-border border-b px-4">
          {brand}
          <Button
            variant="ghost"
            size="icon"
            className="ml-auto md:hidden"
            aria-label="Close navigation"
            onClick={() => setDrawerOpen(false)}
          >
            <X className="size-5" aria-hidden />
          </Button>
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
        <div className="mx-auto flex w-full max-w-6xl flex-col gap-6 px-4 py-6 md:px-8 md:py-8">{children}</div>
      </main>
    </div>
  );
}
