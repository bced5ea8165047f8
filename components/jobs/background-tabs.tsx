"use client";

import { useParams } from "next/navigation";
import { Tabs } from "@/components/ui";

/** The project's background work: every job, and the batches that run as jobs. */
export function BackgroundTabs({ value }: { value: "jobs" | "batches" }) {
  const { projectId } = useParams<{ projectId: string }>();
  return (
    <Tabs
      aria-label="Background work"
      value={value}
      tabs={[
        { value: "jobs", label: "Jobs", href: `/projects/${projectId}/jobs` },
        { value: "batches", label: "Batches", href: `/projects/${projectId}/batches` },
      ]}
    />
  );
}
