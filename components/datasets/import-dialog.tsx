"use client";

import { useQueryClient } from "@tanstack/react-query";
import { FileUp } from "lucide-react";
import { useParams, useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Button, cn, Dialog, Field, Input, ProgressBar, Select, toast } from "@/components/ui";

interface ImportError {
  message: string;
  issues: { path: string; message: string }[];
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
    const query = new URLSearchParams({ mode, format, ...(datasetId ? { datasetId } : { name }) });
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
        toast.success(`Imported ${body.version.exampleCount} examples as v${body.version.version}`);
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
        {error && (
          <div
            role="alert"
            className="flex max-h-64 flex-col gap-1 overflow-auto rounded-md bg-danger-soft p-3 text-danger text-sm"
          >
            <strong>{error.message}</strong>
            <ul className="font-mono text-xs">
              {error.issues.map((i) => (
                <li key={`${i.path}:${i.message}`}>{i.message}</li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </Dialog>
  );
}
