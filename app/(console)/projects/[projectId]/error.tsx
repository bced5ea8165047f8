"use client";

import { ErrorState } from "@/components/ui";

/** A page that failed to render: the message (and the id the server log has) and a retry, inside the shell. */
export default function ProjectError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <ErrorState
      title="This page could not be shown"
      message={error.digest ? `The server logged the failure as ${error.digest}.` : error.message}
      onRetry={reset}
    />
  );
}
