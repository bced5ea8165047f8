"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Columns2, FileCode2, History, Play, Square } from "lucide-react";
import { useParams, useSearchParams } from "next/navigation";
import { useMemo, useRef, useState } from "react";
import { ColumnCard } from "@/components/playground/column-card";
import { HistoryDialog } from "@/components/playground/history-dialog";
import { InputPanel, type PlaygroundInput } from "@/components/playground/input-panel";
import { PromptLoader } from "@/components/playground/prompt-loader";
import { streamGeneration } from "@/components/playground/sse-client";
import { type Column, fromApiParams, newColumn, toApiParams } from "@/components/playground/types";
import { useTRPC } from "@/components/providers/trpc";
import { Button, EmptyState, LoadingState, PageHeader, toast } from "@/components/ui";

const MAX_COLUMNS = 4;

function apiInput(input: PlaygroundInput) {
  if (input.mode === "raw") return { prompt: input.prompt };
  const messages = input.messages.filter((m) => m.content.trim());
  return {
    messages: input.system.trim() ? [{ role: "system" as const, content: input.system }, ...messages] : messages,
  };
}

export function Playground() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const search = useSearchParams();
  const promptRef = search.get("prompt");
  const models = useQuery(trpc.models.list.queryOptions({ page: 1, pageSize: 100 }));
  const createRun = useMutation(trpc.playground.createRun.mutationOptions());
  const [input, setInput] = useState<PlaygroundInput>({
    mode: "chat",
    system: "",
    messages: [{ role: "user", content: "" }],
    prompt: "",
  });
  const [columns, setColumns] = useState<Column[]>([newColumn()]);
  const [historyOpen, setHistoryOpen] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const running = columns.some((c) => c.status === "running");

  const options = useMemo(
    () =>
      (models.data?.items ?? [])
        .filter((m) => m.latestVersion !== null)
        .flatMap((m) => [
          { value: m.name, label: `${m.name} (latest: v${m.latestVersion})` },
          ...m.aliases.map((a) => ({ value: `${m.name}@${a.name}`, label: `${m.name}@${a.name} (v${a.version})` })),
          ...Array.from({ length: Math.min(m.latestVersion ?? 0, 5) }, (_, i) => {
            const v = (m.latestVersion ?? 0) - i;
            return { value: `${m.name}@${v}`, label: `${m.name} v${v}` };
          }),
        ]),
    [models.data],
  );
  // ?model=… (e.g. from the request explorer) preselects a model.
  const defaultModel = search.get("model")?.replace(/:(\d+)$/, "@$1") ?? options[0]?.value ?? "";
  const shown = columns.map((c) => (c.model ? c : { ...c, model: defaultModel }));
  const update = (i: number, patch: Partial<Column>) =>
    setColumns((cols) => cols.map((c, j) => (j === i ? { ...c, ...patch } : c)));

  const run = async () => {
    const configs = shown.map((c) => ({ model: c.model, params: toApiParams(c.params) }));
    const body = apiInput(input);
    if (configs.some((c) => !c.model)) return toast.error("Choose a model for every column");
    let saved: { id: string };
    try {
      saved = await createRun.mutateAsync({ configs, input: body });
    } catch (error) {
      return toast.error((error as Error).message);
    }
    const controller = new AbortController();
    abort.current = controller;
    setColumns(shown.map((c) => ({ ...c, text: "", status: "running", stats: undefined, error: undefined })));
    await Promise.all(
      configs.map((config, slot) =>
        streamGeneration(
          projectId,
          { ...config, input: body, playgroundRunId: saved.id, slot },
          controller.signal,
          (e) => {
            if (e.event === "delta")
              setColumns((cols) => cols.map((c, j) => (j === slot ? { ...c, text: c.text + e.data.text } : c)));
            else if (e.event === "done")
              update(slot, { status: controller.signal.aborted ? "stopped" : "done", stats: e.data.stats });
            else update(slot, { status: "error", error: e.data.message });
          },
        ).catch((error: Error) =>
          update(slot, controller.signal.aborted ? { status: "stopped" } : { status: "error", error: error.message }),
        ),
      ),
    );
    setColumns((cols) => cols.map((c) => (c.status === "running" ? { ...c, status: "stopped" } : c)));
    void queryClient.invalidateQueries({ queryKey: trpc.playground.history.queryKey() });
  };

  if (models.isLoading) return <LoadingState label="Loading models…" />;
  if (options.length === 0)
    return (
      <>
        <PageHeader
          title="Playground"
          description="Try any registered model with streaming output and side-by-side compare."
        />
        <EmptyState
          icon={FileCode2}
          title="Nothing to run yet"
          description="Register a model with at least one version first."
        />
      </>
    );

  return (
    <>
      <PageHeader
        title="Playground"
        description="Stream from any registered model, compare up to four configurations on the same input."
        actions={
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => setHistoryOpen(true)}>
              <History className="size-4" aria-hidden /> History
            </Button>
            <Button
              variant="secondary"
              disabled={running || columns.length >= MAX_COLUMNS}
              onClick={() => setColumns((cols) => [...cols, newColumn(shown.at(-1)?.model)])}
            >
              <Columns2 className="size-4" aria-hidden /> Compare
            </Button>
            {running ? (
              <Button variant="danger" onClick={() => abort.current?.abort()}>
                <Square className="size-4" aria-hidden /> Stop
              </Button>
            ) : (
              <Button onClick={() => void run()} loading={createRun.isPending}>
                <Play className="size-4" aria-hidden /> Run
              </Button>
            )}
          </div>
        }
      />
      {promptRef && (
        <PromptLoader
          promptRef={promptRef}
          onApply={(rendered, model, params) => {
            setInput(rendered);
            setColumns((cols) =>
              cols.map((c) => ({
                ...c,
                model: model ?? c.model,
                params: { ...c.params, ...fromApiParams(params) },
              })),
            );
          }}
        />
      )}
      <InputPanel value={input} onChange={setInput} disabled={running} />
      <div className="grid gap-4" style={{ gridTemplateColumns: `repeat(${columns.length}, minmax(0, 1fr))` }}>
        {shown.map((column, i) => (
          <ColumnCard
            // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
            key={i}
            index={i}
            column={column}
            models={options}
            running={running}
            onChange={(c) => setColumns((cols) => cols.map((old, j) => (j === i ? c : old)))}
            onRemove={columns.length > 1 ? () => setColumns((cols) => cols.filter((_, j) => j !== i)) : undefined}
          />
        ))}
      </div>
      <HistoryDialog
        open={historyOpen}
        onOpenChange={setHistoryOpen}
        onOpen={(saved) => {
          const req = saved.request;
          const messages = "messages" in req.input ? req.input.messages : [];
          setInput({
            mode: "prompt" in req.input ? "raw" : "chat",
            system: messages.find((m) => m.role === "system")?.content ?? "",
            messages: messages.filter((m) => m.role !== "system"),
            prompt: "prompt" in req.input ? req.input.prompt : "",
          });
          setColumns(
            req.configs.map((c, i) => {
              const result = saved.results[i];
              return {
                model: c.model,
                params: fromApiParams(c.params),
                text: result?.text ?? "",
                stats: result?.stats ?? undefined,
                error: result?.error ?? undefined,
                status: result ? (result.error ? "error" : "done") : "idle",
              };
            }),
          );
          setHistoryOpen(false);
        }}
      />
    </>
  );
}
