import { SearchX } from "lucide-react";
import Link from "next/link";
import { EmptyState } from "@/components/ui";

/** Unknown URLs outside a project: a page in the console's style, not Next's bare 404. */
export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center bg-background p-8 text-foreground">
      <h1 className="sr-only">Page not found</h1>
      <EmptyState
        icon={SearchX}
        title="Page not found"
        description="Switchyard has no page at this address."
        action={
          <Link href="/" className="font-medium text-sm underline underline-offset-4">
            Go to the console
          </Link>
        }
      />
    </main>
  );
}
