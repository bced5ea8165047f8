"use client";

import Link from "next/link";
import { useParams, usePathname } from "next/navigation";
import { cn } from "@/components/ui";

const LINKS = [
  { label: "Overview", path: "" },
  { label: "Requests", path: "/requests" },
  { label: "Sessions", path: "/sessions" },
  { label: "Online evaluation", path: "/online-evals" },
];

/** Links between the monitoring pages (each its own URL, so a filtered view can be shared). */
export function MonitoringLinks() {
  const { projectId } = useParams<{ projectId: string }>();
  const pathname = usePathname();
  const base = `/projects/${projectId}/monitoring`;
  return (
    <nav aria-label="Monitoring pages" className="flex flex-wrap gap-1 border-border border-b">
      {LINKS.map(({ label, path }) => {
        const href = `${base}${path}`;
        const active = path === "" ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
        return (
          <Link
            key={label}
            href={href}
            aria-current={active ? "page" : undefined}
            className={cn(
              "-mb-px border-b-2 px-3 py-1.5 text-sm",
              active ? "border-accent font-medium text-foreground" : "border-transparent text-muted-foreground",
            )}
          >
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
