"use client";

import { useParams, usePathname } from "next/navigation";
import { Tabs } from "@/components/ui";

export function SettingsTabs() {
  const { projectId } = useParams<{ projectId: string }>();
  const pathname = usePathname();
  const base = `/projects/${projectId}/settings`;
  const tabs = [
    { value: base, label: "General", href: base },
    { value: `${base}/members`, label: "Members", href: `${base}/members` },
    { value: `${base}/api-keys`, label: "API keys", href: `${base}/api-keys` },
    { value: `${base}/audit`, label: "Audit log", href: `${base}/audit` },
  ];
  const active = tabs.filter((t) => pathname === t.value || pathname.startsWith(`${t.value}/`)).at(-1)?.value ?? base;
  return <Tabs tabs={tabs} value={active} aria-label="Settings sections" />;
}
