"use client";

import { SearchX } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { MAIN_NAV } from "@/components/shell/nav";
import { EmptyState, PageHeader } from "@/components/ui";

/** What a wrong link or a deleted item shows: where you are, and the ways back. */
export default function ProjectNotFound() {
  const { projectId } = useParams<{ projectId: string }>();
  return (
    <>
      <PageHeader title="Not found" />
      <EmptyState
        icon={SearchX}
        title="Nothing in this project has this address"
        description="The item may have been deleted, or the link is wrong. Go back to:"
        action={
          <nav aria-label="Back to" className="flex flex-wrap justify-center gap-x-4 gap-y-2 text-sm">
            {MAIN_NAV.map((item) => (
              <Link
                key={item.segment}
                href={`/projects/${projectId}/${item.segment}`}
                className="font-medium underline underline-offset-4"
              >
                {item.label}
              </Link>
            ))}
          </nav>
        }
      />
    </>
  );
}
