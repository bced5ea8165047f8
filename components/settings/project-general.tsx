"use client";

import { useProjectAccess } from "@/components/providers/use-project-access";
import {
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  CopyButton,
  ErrorState,
  LoadingState,
} from "@/components/ui";

export function ProjectGeneral() {
  const { project, role, isLoading } = useProjectAccess();
  if (isLoading) return <LoadingState label="Loading project…" />;
  if (!project) return <ErrorState message="The project could not be loaded." />;
  const rows: [string, string, boolean][] = [
    ["Organisation", project.organizationName, false],
    ["Project", project.name, false],
    ["Slug", project.slug, false],
    ["Project id", project.id, true],
    ["Your role", role ?? "—", false],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Project</CardTitle>
        <CardDescription>
          API keys act in this project. Send <code>x-switchyard-project: {project.id}</code> when calling the API with a
          session instead of a key.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <dl className="grid grid-cols-[10rem_1fr] gap-y-3 text-sm">
          {rows.map(([label, value, copy]) => (
            <div key={label} className="contents">
              <dt className="text-muted-foreground">{label}</dt>
              <dd className="flex items-center gap-2">
                <span className={copy ? "font-mono text-xs" : undefined}>{value}</span>
                {copy && <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} size="sm" variant="ghost" />}
              </dd>
            </div>
          ))}
        </dl>
      </CardContent>
    </Card>
  );
}
