"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { formatDateTime } from "@/components/format";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Field, FormDialog, Input, Select } from "@/components/ui";
import { describeCron } from "@/lib/cron-description";
import {
  ACTION_LABELS,
  CATCH_UP_HELP,
  CATCH_UP_POLICIES,
  CONCURRENCY_HELP,
  CONCURRENCY_POLICIES,
  createScheduleInput,
  readCron,
  SCHEDULE_ACTIONS,
} from "@/lib/schedules";

type Action = (typeof SCHEDULE_ACTIONS)[number];
const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** The next three fire times of a valid draft, in the viewer's time; none while the cron or zone is wrong. */
function preview(cron: string, timezone: string): Date[] {
  try {
    return readCron(cron, timezone).nextRuns(3, new Date());
  } catch {
    return [];
  }
}

export function CreateScheduleDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { projectId } = useParams<{ projectId: string }>();
  const [name, setName] = useState("");
  const [cron, setCron] = useState("0 3 * * *");
  const [timezone, setTimezone] = useState(viewerZone);
  const [concurrency, setConcurrency] = useState<(typeof CONCURRENCY_POLICIES)[number]>("forbid");
  const [catchUp, setCatchUp] = useState<(typeof CATCH_UP_POLICIES)[number]>("latest");
  const [action, setAction] = useState<Action>("prompt_over_dataset");
  const [seconds, setSeconds] = useState("0");
  const [prompt, setPrompt] = useState("");
  const [label, setLabel] = useState("production");
  const [datasetVersionId, setDatasetVersionId] = useState("");
  const [output, setOutput] = useState<"dataset_version" | "file">("dataset_version");
  const datasets = useQuery({
    ...trpc.datasets.list.queryOptions({}),
    enabled: open && action === "prompt_over_dataset",
  });
  const prompts = useQuery({
    ...trpc.prompts.list.queryOptions({ pageSize: 100 }),
    enabled: open && action === "prompt_over_dataset",
  });

  const config = useMemo(
    () =>
      action === "sleep"
        ? { seconds: seconds.trim() === "" ? Number.NaN : Number(seconds) }
        : { prompt, label, datasetVersionId, output },
    [action, seconds, prompt, label, datasetVersionId, output],
  );
  const draft = useMemo(
    () => ({ name, cron, timezone, concurrency, catchUp, action, config }),
    [name, cron, timezone, concurrency, catchUp, action, config],
  );
  const v = useLiveValidation(createScheduleInput, draft);
  const next = useMemo(() => preview(cron, timezone), [cron, timezone]);

  const create = useFormMutation(trpc.schedules.create.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: (_, input) => `Created schedule ${input.name}`,
    invalidate: [trpc.schedules.list.queryKey()],
    onDone: (created) => router.push(`/projects/${projectId}/schedules/${created.id}`),
  });
  const error = (field: string) => v.error(field) ?? create.fieldError(field);

  return (
    <FormDialog
      open={open}
      {...create.formDialog}
      title="New schedule"
      description="Each fire time starts one job; the history shows every run and links to its job."
      className="max-w-2xl"
      submitLabel="Create schedule"
      onSubmit={() => (v.valid ? create.submit(draft) : v.showAll())}
      formClassName="grid gap-4 sm:grid-cols-2"
    >
      <Field label="Name" htmlFor="schedule-name" error={error("name")} className="sm:col-span-2">
        <Input id="schedule-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
      </Field>
      <Field
        label="Cron"
        htmlFor="schedule-cron"
        error={error("cron")}
        hint="minute hour day month weekday; 6 fields put seconds first"
      >
        <Input id="schedule-cron" className="font-mono" value={cron} onChange={(e) => setCron(e.target.value)} />
      </Field>
      <Field
        label="Time zone"
        htmlFor="schedule-timezone"
        error={error("timezone")}
        hint="IANA name, e.g. Europe/Berlin"
      >
        <Input id="schedule-timezone" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
      </Field>
      <output className="text-muted-foreground text-sm sm:col-span-2" aria-live="polite" aria-label="Next runs">
        {next.length > 0 ? (
          <>
            <span className="font-medium text-foreground">{describeCron(cron)}</span>
            {` — next: ${next.map((d) => formatDateTime(d)).join(" · ")} (your time)`}
          </>
        ) : (
          "Next runs appear here once the cron and the time zone are valid."
        )}
      </output>
      <Field label="While a run is still going" htmlFor="schedule-concurrency" hint={CONCURRENCY_HELP[concurrency]}>
        <Select
          id="schedule-concurrency"
          value={concurrency}
          onChange={(e) => setConcurrency(e.target.value as typeof concurrency)}
        >
          {CONCURRENCY_POLICIES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </Select>
      </Field>
      <Field label="Missed runs" htmlFor="schedule-catch-up" hint={CATCH_UP_HELP[catchUp]}>
        <Select id="schedule-catch-up" value={catchUp} onChange={(e) => setCatchUp(e.target.value as typeof catchUp)}>
          {CATCH_UP_POLICIES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </Select>
      </Field>
      <Field label="Action" htmlFor="schedule-action" className="sm:col-span-2">
        <Select id="schedule-action" value={action} onChange={(e) => setAction(e.target.value as Action)}>
          {SCHEDULE_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {ACTION_LABELS[a]}
            </option>
          ))}
        </Select>
      </Field>
      {action === "sleep" ? (
        <Field label="Seconds to wait" htmlFor="schedule-seconds" error={error("config.seconds")} hint="0 does nothing">
          <Input
            id="schedule-seconds"
            inputMode="numeric"
            value={seconds}
            onChange={(e) => setSeconds(e.target.value)}
          />
        </Field>
      ) : (
        <>
          <Field label="Prompt" htmlFor="schedule-prompt" error={error("config.prompt")}>
            <Select id="schedule-prompt" value={prompt} onChange={(e) => setPrompt(e.target.value)}>
              <option value="">Choose a prompt…</option>
              {prompts.data?.items.map((p) => (
                <option key={p.id} value={p.name}>
                  {p.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label="Label"
            htmlFor="schedule-label"
            error={error("config.label")}
            hint="The version this label names at run time"
          >
            <Input id="schedule-label" value={label} onChange={(e) => setLabel(e.target.value)} />
          </Field>
          <Field label="Dataset version" htmlFor="schedule-dataset" error={error("config.datasetVersionId")}>
            <Select
              id="schedule-dataset"
              value={datasetVersionId}
              onChange={(e) => setDatasetVersionId(e.target.value)}
            >
              <option value="">Choose a version…</option>
              {datasets.data?.flatMap((d) =>
                d.versions.map((ver) => (
                  <option key={ver.id} value={ver.id}>
                    {d.name} v{ver.version} ({ver.exampleCount} rows)
                  </option>
                )),
              )}
            </Select>
          </Field>
          <Field label="Keep the outputs as" htmlFor="schedule-output">
            <Select id="schedule-output" value={output} onChange={(e) => setOutput(e.target.value as typeof output)}>
              <option value="dataset_version">a new dataset version</option>
              <option value="file">a file</option>
            </Select>
          </Field>
        </>
      )}
      <FormError error={create.error} fields={["name", "cron", "timezone", "config"]} />
    </FormDialog>
  );
}
