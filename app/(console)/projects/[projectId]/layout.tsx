import { notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "@/components/providers/trpc";
import { Shell } from "@/components/shell/shell";
import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { listForUser } from "@/server/modules/projects/service";

export default async function ProjectLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ projectId: string }>;
}) {
  const { projectId } = await params;
  const user = await sessionPrincipal();
  if (user?.kind !== "user") redirect(`/sign-in?callbackUrl=/projects/${encodeURIComponent(projectId)}`);
  const organizations = await listForUser({ db: db() }, { userId: user.userId });
  if (!organizations.some((o) => o.projects.some((p) => p.id === projectId))) notFound();
  return (
    <TRPCReactProvider key={projectId} projectId={projectId}>
      <Shell projectId={projectId} organizations={organizations} user={{ email: user.email, name: user.name }}>
        {children}
      </Shell>
    </TRPCReactProvider>
  );
}
