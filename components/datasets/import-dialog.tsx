"use client";

import { useQueryClient } from "@tanstack/react-query";
import { FileUp } from "lucide-react";
import { useParams, useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Button, cn, Dialog, Field, Input, ProgressBar, Select, toast } from "@/components/ui";

interface LineIssue {
  line: number;
  code: string;
  message: string;
}

/** The REST error body; a refused import adds errors and warnings apart (see server/modules/datasets/http.ts). */
interface ImportError {
  message: string;
  issues: { path: string; message: string }[];
  errors?: LineIssue[];
  errorCount?: number;
  warnings?: LineIssue[];
  warningCount?: number;
  truncated?: boolean;
}

/** Uploads a JSONL file as the raw request body (streamed by the server), with progress and cancel. */
export function ImportDialog({
  open,
  onOpenChange,
  datasetId,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Add a version to this dataset instead of creating one. */
  datasetId?: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { projectId } = useParams<{ projectId: string }>();
  const [name, setName] = useState("");
  const [mode, setMode] = useState("strict");
  const [format, setFormat] = useState("auto");
  /** Lenient mode's limit, in percent of the lines (the server takes a fraction). */
  const [maxRejectedPercent, setMaxRejectedPercent] = useState("10");
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<ImportError | null>(null);
  const xhr = useRef<XMLHttpRequest | null>(null);

  const close = () => {
    xhr.current?.abort();
    setProgress(null);
    setError(null);
    setFile(null);
    onOpenChange(false);
  };

  const start = () => {
    if (!file) return;
    setError(null);
    setProgress(0);
    const query = new URLSearchParams({
      mode,
      format,
      ...(mode === "lenient" ? { maxRejectedFraction: String(Number(maxRejectedPercent) / 100) } : {}),
      ...(datasetId ? { datasetId } : { name }),
    });
    const request = new XMLHttpRequest();
    xhr.current = request;
    request.open("POST", `/api/rest/datasets/import?${query}`);
    request.setRequestHeader("x-switchyard-project", projectId);
    request.setRequestHeader("content-type", "application/jsonl");
    request.upload.onprogress = (e) => e.lengthComputable && setProgress(Math.round((e.loaded / e.total) * 100));
    request.onload = () => {
      setProgress(null);
      const body = JSON.parse(request.responseText || "{}");
      if (request.status === 201) {
        announceImport(body.version, () =>
          document.getElementById("version-report")?.scrollIntoView({ behavior: "smooth" }),
        );
        void queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.datasets.get.queryKey() });
        close();
        router.push(`/projects/${projectId}/datasets/${body.datasetId}`);
      } else setError(body.error ?? { message: `Import failed (${request.status})`, issues: [] });
    };
    request.onerror = () => {
      setProgress(null);
      setError({ message: "The upload was interrupted", issues: [] });
    };
    request.onabort = () => setProgress(null);
    request.send(file);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => !o && close()}
      title={datasetId ? "Import a new version" : "Import a dataset"}
      description="JSONL in the OpenAI chat format ({messages: [...]}) or prompt/completion. Every line is checked."
      className="max-w-2xl"
      footer={
        <>
          <Button variant="secondary" onClick={() => (progress !== null ? xhr.current?.abort() : close())}>
            {progress !== null ? "Cancel upload" : "Cancel"}
          </Button>
          <Button onClick={start} disabled={!file || (!datasetId && !name) || progress !== null}>
            Import
          </Button>
        </>
      }
    >
      <div className="flex flex-col gap-4">
        {!datasetId && (
          <Field label="Dataset name" htmlFor="dataset-name">
            <Input id="dataset-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
          </Field>
        )}
        <div className="grid grid-cols-2 gap-3">
          <Field
            label="Mode"
            htmlFor="import-mode"
            hint={mode === "strict" ? "Any error: nothing is stored" : "Good lines are kept; the rest reported"}
          >
            <Select id="import-mode" value={mode} onChange={(e) => setMode(e.target.value)}>
              <option value="strict">strict</option>
              <option value="lenient">lenient</option>
            </Select>
          </Field>
          {mode === "lenient" && (
            <Field
              label="Bad lines allowed (%)"
              htmlFor="import-max-rejected"
              hint="Above this share of rejected lines nothing is stored"
            >
              <Input
                id="import-max-rejected"
                type="number"
                min={0}
                max={100}
                step={1}
                value={maxRejectedPercent}
                onChange={(e) => setMaxRejectedPercent(e.target.value)}
              />
            </Field>
          )}
          <Field label="Format" htmlFor="import-format">
            <Select id="import-format" value={format} onChange={(e) => setFormat(e.target.value)}>
              <option value="auto">detect</option>
              <option value="chat">chat</option>
              <option value="completion">prompt / completion</option>
            </Select>
          </Field>
        </div>
        <label
          htmlFor="dataset-file"
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => {
            e.preventDefault();
            setFile(e.dataTransfer.files[0] ?? null);
          }}
          className={cn(
            "flex cursor-pointer flex-col items-center gap-2 rounded-lg border-2 border-dashed p-6 text-center text-sm hover:bg-muted",
            file ? "border-primary" : "border-border",
          )}
        >
          <FileUp className="size-6 text-muted-foreground" aria-hidden />
          <span className="font-medium">
            {file ? `${file.name} (${(file.size / 1024).toFixed(1)} KiB)` : "Drop a .jsonl file here, or choose one"}
          </span>
          <input
            id="dataset-file"
            type="file"
            accept=".jsonl,.json,application/jsonl"
            className="sr-only"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </label>
        {progress !== null && (
          <ProgressBar value={progress} label={progress < 100 ? "Uploading…" : "Validating and storing…"} showValue />
        )}
        {error && <ImportErrors error={error} />}
      </div>
    </Dialog>
  );
}

/** A refused import: the errors that refused it, then the warnings (which did not), each list saying when it is cut. */
function ImportErrors({ error }: { error: ImportError }) {
  const errors = error.errors ?? error.issues.map((i) => ({ line: 0, code: "", message: i.message }));
  const warnings = error.warnings ?? [];
  return (
    <div
      role="alert"
      className="flex max-h-72 flex-col gap-2 overflow-auto rounded-md bg-danger-soft p-3 text-danger text-sm"
    >
      <strong>{error.message}</strong>
      <IssueList title="Errors" items={errors} total={error.errorCount ?? errors.length} />
      {warnings.length > 0 && (
        <div className="text-foreground">
          <IssueList title="Warnings" items={warnings} total={error.warningCount ?? warnings.length} />
        </div>
      )}
    </div>
  );
}

function IssueList({ title, items, total }: { title: string; items: LineIssue[]; total: number }) {
  if (items.length === 0) return null;
  return (
    <section aria-label={title}>
      <h3 className="font-medium text-xs">
        {title} ({total.toLocaleString()})
        {total > items.length && ` — the first ${items.length.toLocaleString()} are listed`}
      </h3>
      <ul className="font-mono text-xs">
        {items.map((i) => (
          <li key={`${i.line}:${i.code}:${i.message}`}>{i.message}</li>
        ))}
      </ul>
    </section>
  );
}

interface ImportedVersion {
  version: number;
  exampleCount: number;
  report: { issues?: { rejectedLines: number; warnings: number } };
}

/** The toast after an import: a lenient import that dropped lines says how many, with a way to the report. */
function announceImport(v: ImportedVersion, openReport: () => void) {
  const examples = v.exampleCount.toLocaleString("en-US");
  const dropped = v.report.issues?.rejectedLines ?? 0;
  if (dropped === 0) return toast.success(`Imported ${examples} examples as v${v.version}`);
  toast.warning(
    `Imported ${examples} examples as v${v.version}; ${dropped.toLocaleString("en-US")} ${dropped === 1 ? "line was" : "lines were"} dropped`,
    {
      description: "The report lists each dropped line and why.",
      action: { label: "View report", onClick: openReport },
      duration: 15_000,
    },
  );
}
