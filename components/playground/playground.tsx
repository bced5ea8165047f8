"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Columns2, FileCode2, History, Play, Square } from "lucide-react";
import { useParams, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { z } from "zod";
import { ColumnCard } from "@/components/playground/column-card";
import { HistoryDialog, type SavedRun } from "@/components/playground/history-dialog";
import { InputPanel, type PlaygroundInput } from "@/components/playground/input-panel";
import { configFromColumn, inputFromTemplate, sameJson, templateFromInput } from "@/components/playground/prompt-draft";
import { PromptLoader, parsePromptRef, sampleValue } from "@/components/playground/prompt-loader";
import { RequestNotice } from "@/components/playground/request-notice";
import { SaveVersionDialog } from "@/components/playground/save-version-dialog";
import { streamGeneration } from "@/components/playground/sse-client";
import { type Column, fromApiParams, newColumn, toApiParams } from "@/components/playground/types";
import { useTRPC } from "@/components/providers/trpc";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { Button, cn, EmptyState, LoadingState, PageHeader, toast } from "@/components/ui";
import { playgroundConfigs } from "@/lib/generation-params";

const MAX_COLUMNS = 4;
/** A fresh playground is ready to run: the README's first step is "open Playground and press Run". */
const STARTER_MESSAGE = "Hello! Who are you?";
const NO_RUN = deniedReason("viewer", "playground:run");
/** One column on phones, two on tablets, all of them side by side on wide screens. */
const GRID: Record<number, string> = {
  1: "grid-cols-1",
  2: "grid-cols-1 md:grid-cols-2",
  3: "grid-cols-1 md:grid-cols-2 xl:grid-cols-3",
  4: "grid-cols-1 md:grid-cols-2 2xl:grid-cols-4",
};

function apiInput(input: PlaygroundInput) {
  if (input.mode === "raw") return { prompt: input.prompt };
  const messages = input.messages.filter((m) => m.content.trim());
  return {
    messages: input.system.trim() ? [{ role: "system" as const, content: input.system }, ...messages] : messages,
  };
}

/** The columns' parameters, checked as the user types with the schema the server uses. */
const configsSchema = z.object({ configs: playgroundConfigs });

const slotStatus = (r: SavedRun["results"][number]): Column["status"] =>
  !r ? "idle" : r.stopped ? "stopped" : r.error ? "error" : "done";

export function Playground() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { projectId } = useParams<{ projectId: string }>();
  const search = useSearchParams();
  const promptRef = search.get("prompt");
  const requestId = search.get("request");
  const { can } = useProjectAccess();
  const mayRun = can("playground:run");
  const models = useQuery(trpc.models.list.queryOptions({ page: 1, pageSize: 100 }));
  const createRun = useMutation(trpc.playground.createRun.mutationOptions());
  const render = useMutation(trpc.prompts.preview.mutationOptions());
  const prompt = useQuery({
    ...trpc.prompts.fetch.queryOptions(parsePromptRef(promptRef ?? "")),
    enabled: Boolean(promptRef),
  });
  const draft = useQuery({
    ...trpc.playground.fromRequest.queryOptions({ id: requestId ?? "" }),
    enabled: Boolean(requestId),
    retry: false,
  });
  const [input, setInput] = useState<PlaygroundInput>({
    mode: "chat",
    system: "",
    messages: [{ role: "user", content: promptRef || requestId ? "" : STARTER_MESSAGE }],
    prompt: "",
  });
  const [columns, setColumns] = useState<Column[]>([newColumn()]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [historyOpen, setHistoryOpen] = useState(false);
  const [saveOpen, setSaveOpen] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const running = columns.some((c) => c.status === "running");

  // A prompt opened here: its template becomes the input and its model and parameters the first column's,
  // at once (not only after a render).
  const loaded = prompt.data;
  useEffect(() => {
    if (!loaded) return;
    setInput(inputFromTemplate(loaded.type, loaded.template));
    setColumns((cols) =>
      cols.map((c, i) =>
        i === 0
          ? { ...c, model: loaded.config.model ?? c.model, params: fromApiParams(loaded.config.params ?? {}) }
          : c,
      ),
    );
  }, [loaded]);
  // A logged request opened here: its model, conversation and parameters.
  const restored = draft.data;
  useEffect(() => {
    if (!restored) return;
    if (restored.input) setInput(restored.input);
    setColumns([{ ...newColumn(restored.model ?? ""), params: fromApiParams(restored.params) }]);
  }, [restored]);

  const options = useMemo(() => {
    const list = (models.data?.items ?? [])
      .filter((m) => m.latestVersion !== null)
      .flatMap((m) => [
        { value: m.name, label: `${m.name} (latest: v${m.latestVersion})` },
        ...m.aliases.map((a) => ({ value: `${m.name}@${a.name}`, label: `${m.name}@${a.name} (v${a.version})` })),
        ...Array.from({ length: Math.min(m.latestVersion ?? 0, 5) }, (_, i) => {
          const v = (m.latestVersion ?? 0) - i;
          return { value: `${m.name}@${v}`, label: `${m.name} v${v}` };
        }),
      ]);
    // A reference from a prompt or a logged request that the list does not name (an older version, a route).
    const extra = [...new Set(columns.map((c) => c.model))].filter((v) => v && !list.some((o) => o.value === v));
    return [...list, ...extra.map((value) => ({ value, label: value }))];
  }, [models.data, columns]);
  // ?model=… (e.g. from the request explorer) preselects a model; while a prompt or request loads, none.
  const waiting = (promptRef && prompt.isLoading) || (requestId && draft.isLoading);
  const defaultModel = waiting ? "" : (search.get("model")?.replace(/:(\d+)$/, "@$1") ?? options[0]?.value ?? "");
  const shown = columns.map((c) => (c.model ? c : { ...c, model: defaultModel }));
  const configs = shown.map((c) => ({ model: c.model, params: toApiParams(c.params) }));
  const validation = useLiveValidation(configsSchema, { configs });
  const update = (i: number, patch: Partial<Column>) =>
    setColumns((cols) => cols.map((c, j) => (j === i ? { ...c, ...patch } : c)));

  // Saving edits of a loaded prompt as its next version.
  const editedTemplate = loaded ? templateFromInput(loaded.type, input) : null;
  const editedConfig = loaded ? configFromColumn(loaded.config, shown[0]) : null;
  const unchanged =
    loaded !== undefined && sameJson(editedTemplate, loaded.template) && sameJson(editedConfig, loaded.config);
  const saveDisabledReason = !can("prompts:write")
    ? deniedReason("viewer", "prompts:write")
    : unchanged
      ? `Nothing to save: the template, model and parameters are those of v${loaded?.version}.`
      : null;

  /** The input Run sends: a loaded prompt's (edited) template is rendered with its variables first. */
  const body = async () => {
    if (!loaded || !editedTemplate) return apiInput(input);
    const variables = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, sampleValue(v)]));
    const out = await render.mutateAsync({ type: loaded.type, template: editedTemplate, variables });
    if (out.error) throw new Error(`The prompt does not render yet: ${out.error.message}`);
    return out.messages ? { messages: out.messages } : { prompt: out.text ?? "" };
  };

  const run = async () => {
    if (configs.some((c) => !c.model)) return toast.error("Choose a model for every column");
    if (!validation.valid) {
      validation.showAll();
      return toast.error("Fix the parameters marked in red first");
    }
    let saved: { id: string };
    let sent: Awaited<ReturnType<typeof body>>;
    try {
      sent = await body();
      saved = await createRun.mutateAsync({ configs, input: sent });
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
          { ...config, input: sent, playgroundRunId: saved.id, slot },
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

  // Ctrl+Enter (Cmd+Enter on a Mac) runs from anywhere on the page, as in most playgrounds.
  const shortcut = useRef<() => void>(() => {});
  shortcut.current = () => {
    if (mayRun && !running && !createRun.isPending && !render.isPending) void run();
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
      e.preventDefault();
      shortcut.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

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
          <div className="flex flex-wrap gap-2">
            <Button
              variant="secondary"
              disabled={!mayRun}
              title={mayRun ? "Your earlier runs" : NO_RUN}
              onClick={() => setHistoryOpen(true)}
            >
              <History className="size-4" aria-hidden /> History
            </Button>
            <Button
              variant="secondary"
              disabled={running || columns.length >= MAX_COLUMNS}
              title={columns.length >= MAX_COLUMNS ? "At most four configurations side by side" : undefined}
              onClick={() => setColumns((cols) => [...cols, newColumn(shown.at(-1)?.model)])}
            >
              <Columns2 className="size-4" aria-hidden /> Compare
            </Button>
            {running ? (
              <Button variant="danger" onClick={() => abort.current?.abort()}>
                <Square className="size-4" aria-hidden /> Stop
              </Button>
            ) : (
              <Button
                onClick={() => void run()}
                loading={createRun.isPending || render.isPending}
                disabled={!mayRun}
                title={mayRun ? "Run (Ctrl+Enter, ⌘+Enter on a Mac)" : NO_RUN}
                aria-keyshortcuts="Control+Enter Meta+Enter"
              >
                <Play className="size-4" aria-hidden /> Run
                <kbd className="ml-1 hidden rounded border border-current/30 px-1 font-sans text-[10px] sm:inline">
                  Ctrl ↵
                </kbd>
              </Button>
            )}
          </div>
        }
      />
      {!mayRun && (
        <p role="note" className="text-muted-foreground text-sm">
          {NO_RUN} You can still look at models, prompts and logged requests here.
        </p>
      )}
      {requestId && (
        <RequestNotice requestId={requestId} draft={restored} loading={draft.isLoading} error={draft.error} />
      )}
      {promptRef && prompt.error && (
        <p role="alert" className="rounded-md bg-danger-soft p-2 text-danger text-sm">
          Prompt {promptRef} could not be opened: {prompt.error.message}
        </p>
      )}
      {loaded && (
        <PromptLoader
          prompt={loaded}
          input={input}
          values={values}
          onValuesChange={setValues}
          save={{ disabledReason: saveDisabledReason, onClick: () => setSaveOpen(true) }}
        />
      )}
      {loaded && editedTemplate !== null && editedConfig && (
        <SaveVersionDialog
          open={saveOpen}
          onOpenChange={setSaveOpen}
          prompt={loaded}
          template={editedTemplate}
          config={editedConfig}
          onSaved={(version) => {
            setSaveOpen(false);
            router.replace(
              `/projects/${projectId}/playground?prompt=${encodeURIComponent(`${loaded.name}@${version}`)}`,
            );
          }}
        />
      )}
      <InputPanel value={input} onChange={setInput} disabled={running} />
      <div className={cn("grid gap-4", GRID[columns.length])}>
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
            errorFor={(param) => validation.error(`configs.${i}.params.${param}`)}
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
                status: slotStatus(result),
              };
            }),
          );
          setHistoryOpen(false);
        }}
      />
    </>
  );
}
