"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { WithReason } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import {
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  CopyButton,
  ErrorState,
  LoadingState,
  toast,
} from "@/components/ui";
import { BODY_LOGGING, BODY_LOGGING_LABELS } from "@/lib/projects";

type BodyLogging = (typeof BODY_LOGGING)[number];

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
    <div className="flex flex-col gap-6">
      <ProjectFacts rows={rows} projectId={project.id} />
      <PrivacySettings />
    </div>
  );
}

function ProjectFacts({ rows, projectId }: { rows: [string, string, boolean][]; projectId: string }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Project</CardTitle>
        <CardDescription>
          API keys act in this project. Send <code>x-switchyard-project: {projectId}</code> when calling the API with a
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

/** The gateway's privacy setting: which request/response bodies the request log keeps. */
function PrivacySettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, role } = useProjectAccess();
  const settings = useQuery(trpc.projects.settings.queryOptions({}));
  const [choice, setChoice] = useState<BodyLogging>("none");
  useEffect(() => {
    if (settings.data) setChoice(settings.data.requestBodyLogging);
  }, [settings.data]);
  const save = useMutation(
    trpc.projects.updateSettings.mutationOptions({
      onSuccess: (saved) => {
        toast.success(`Request body logging: ${saved.requestBodyLogging}`);
        void queryClient.invalidateQueries({ queryKey: trpc.projects.settings.queryKey() });
      },
    }),
  );
  const mayWrite = can("project:write");
  const current = settings.data?.requestBodyLogging;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Privacy</CardTitle>
        <CardDescription>
          What the request log keeps of each gateway call's request and response bodies. Masked replaces e-mail
          addresses, phone numbers, card numbers, secrets and other personal data with placeholders like{" "}
          <code>&lt;EMAIL_1&gt;</code>. A change reaches every gateway replica within 10 seconds.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {settings.isLoading ? (
          <LoadingState label="Loading settings…" />
        ) : settings.error ? (
          <ErrorState message={settings.error.message} onRetry={() => void settings.refetch()} />
        ) : (
          <form
            className="flex flex-col gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate({ requestBodyLogging: choice });
            }}
          >
            <fieldset className="flex flex-col gap-2" disabled={!mayWrite}>
              <legend className="mb-1 font-medium text-sm">Request body logging</legend>
              {BODY_LOGGING.map((value) => (
                <label key={value} className="flex items-start gap-2 text-sm">
                  <input
                    type="radio"
                    name="request-body-logging"
                    value={value}
                    checked={choice === value}
                    onChange={() => setChoice(value)}
                    className="mt-0.5 accent-primary"
                  />
                  <span>{BODY_LOGGING_LABELS[value]}</span>
                </label>
              ))}
            </fieldset>
            <div className="flex flex-wrap items-center gap-3">
              <WithReason why={mayWrite ? undefined : deniedReason(role, "project:write")}>
                <Button
                  type="submit"
                  loading={save.isPending}
                  disabled={!mayWrite || choice === current}
                  title={mayWrite ? undefined : deniedReason(role, "project:write")}
                >
                  Save privacy setting
                </Button>
              </WithReason>
              {mayWrite ? (
                <FormError error={save.error} fields={[]} />
              ) : (
                <p className="text-muted-foreground text-sm">Only owners and admins can change this.</p>
              )}
            </div>
          </form>
        )}
      </CardContent>
    </Card>
  );
}
