import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { SessionTranscript } from "@/components/monitoring/sessions/session-transcript";
import { LoadingState, PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Session" };

/** The segment as text: decoded once where it still carries %-escapes (a literal `%` stays as it is). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export default async function SessionPage({
  params,
}: {
  params: Promise<{ projectId: string; kind: string; key: string }>;
}) {
  const { projectId, kind, key } = await params;
  if (kind !== "session" && kind !== "user") notFound();
  const sessionKey = decoded(key);
  return (
    <>
      <PageHeader
        title={kind === "session" ? `Session ${sessionKey}` : `User ${sessionKey}`}
        description={
          kind === "session"
            ? "The requests that carried this x-switchyard-session header, oldest first."
            : "This user's requests without a session header, oldest first."
        }
        breadcrumbs={[
          { label: "Monitoring", href: `/projects/${projectId}/monitoring` },
          { label: "Sessions", href: `/projects/${projectId}/monitoring/sessions` },
          { label: sessionKey },
        ]}
      />
      <Suspense fallback={<LoadingState />}>
        <SessionTranscript kind={kind} sessionKey={sessionKey} />
      </Suspense>
    </>
  );
}
