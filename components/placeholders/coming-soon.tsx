import type { LucideIcon } from "lucide-react";
import { EmptyState, PageHeader } from "@/components/ui";

/** A real page for a feature whose first version is still being built. */
export function FeatureEmptyState({
  title,
  description,
  icon,
  emptyTitle,
  emptyDescription,
}: {
  title: string;
  description: string;
  icon: LucideIcon;
  emptyTitle: string;
  emptyDescription: string;
}) {
  return (
    <>
      <PageHeader title={title} description={description} />
      <div className="rounded-lg border border-border border-dashed bg-card">
        <EmptyState icon={icon} title={emptyTitle} description={emptyDescription} className="py-16" />
      </div>
    </>
  );
}
