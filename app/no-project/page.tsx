import { FolderX } from "lucide-react";
import { EmptyState } from "@/components/ui";

export default function NoProject() {
  return (
    <main className="flex min-h-screen items-center justify-center p-8">
      <EmptyState
        icon={FolderX}
        title="You are not in any project yet"
        description="Ask an owner or admin of a project to add you in Settings → Members."
      />
    </main>
  );
}
