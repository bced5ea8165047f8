"use client";

import { FolderUp } from "lucide-react";
import { useParams } from "next/navigation";
import { useRef, useState } from "react";
import { Button, cn, ProgressBar } from "@/components/ui";

export interface UploadedArtifact {
  id: string;
  sha256: string;
  sizeBytes: number;
  deduplicated: boolean;
  inspection: {
    parameterCount: number;
    opset: number | null;
    hasKvCache: boolean;
    device?: string;
    variant?: Record<string, unknown> | null;
    inputs: { name: string }[];
    /** The decoder that runs on CPU by default, and every decoder a version may pick (`onnxVariant`). */
    modelFile?: string;
    modelVariant?: string;
    variants?: { name: string; file: string }[];
    contextLength?: number | null;
    encoder?: { kind: "embedding" | "rerank"; pooling: string[]; normalize: boolean };
  };
}

/**
 * Drag-and-drop (or pick) a Hugging Face style ONNX folder. Sends it as
 * multipart to /api/rest/artifacts/upload with upload progress; the server inspects it
 * and keeps nothing if it is not a loadable causal LM or encoder with a tokenizer.
 */
export function ArtifactUploader({ onUploaded }: { onUploaded: (artifact: UploadedArtifact) => void }) {
  const { projectId } = useParams<{ projectId: string }>();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const upload = (files: File[]) => {
    if (files.length === 0) return;
    setError(null);
    setProgress(0);
    const form = new FormData();
    for (const file of files) form.append("files", file, file.webkitRelativePath || file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/rest/artifacts/upload");
    xhr.setRequestHeader("x-switchyard-project", projectId);
    xhr.upload.onprogress = (e) => e.lengthComputable && setProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      setProgress(null);
      const body = JSON.parse(xhr.responseText || "{}");
      if (xhr.status >= 200 && xhr.status < 300) onUploaded(body as UploadedArtifact);
      else setError(body?.error?.message ?? `Upload failed (${xhr.status})`);
    };
    xhr.onerror = () => {
      setProgress(null);
      setError("The upload was interrupted");
    };
    xhr.send(form);
  };

  return (
    <div className="flex flex-col gap-2">
      <label
        htmlFor="artifact-files"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          upload([...e.dataTransfer.files]);
        }}
        className={cn(
          "flex cursor-pointer flex-col items-center gap-2 rounded-lg border-2 border-dashed p-6 text-center text-sm",
          dragging ? "border-primary bg-accent-soft" : "border-border hover:bg-muted",
        )}
      >
        <FolderUp className="size-6 text-muted-foreground" aria-hidden />
        <span className="font-medium">Drop the model files here, or choose them</span>
        <span className="text-muted-foreground text-xs">
          The .onnx files (top level or onnx/, with their external data), tokenizer.json and the configs (config.json,
          generation_config.json, genai_config.json, chat template; modules.json and 1_Pooling/ for embedding models).
          Several GB? Import it from the server&apos;s disk instead.
        </span>
        <input
          ref={input}
          id="artifact-files"
          type="file"
          multiple
          className="sr-only"
          onChange={(e) => upload([...(e.target.files ?? [])])}
        />
      </label>
      <Button
        type="button"
        variant="ghost"
        size="sm"
        className="self-start"
        onClick={() => folderInput.current?.click()}
      >
        Choose a whole folder (keeps onnx/ and 1_Pooling/)
      </Button>
      <input
        ref={(el) => {
          folderInput.current = el;
          // Not in React's typings: the browser's folder picker, which sends each file's relative path.
          el?.setAttribute("webkitdirectory", "");
        }}
        type="file"
        multiple
        className="sr-only"
        aria-label="Model folder"
        onChange={(e) => upload([...(e.target.files ?? [])])}
      />
      {progress !== null && (
        <ProgressBar value={progress} label={progress < 100 ? "Uploading…" : "Inspecting the model…"} showValue />
      )}
      {error && (
        <div
          role="alert"
          className="flex items-center justify-between rounded-md bg-danger-soft p-2 text-danger text-sm"
        >
          <span>{error}</span>
          <Button size="sm" variant="ghost" onClick={() => input.current?.click()}>
            Try again
          </Button>
        </div>
      )}
    </div>
  );
}
