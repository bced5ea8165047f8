"use client";

import { useQuery } from "@tanstack/react-query";
import { TriangleAlert } from "lucide-react";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { CopyButton, Tabs, toast } from "@/components/ui";
import {
  gatewaySnippet,
  SNIPPET_LABELS,
  SNIPPET_LANGUAGES,
  type SnippetLanguage,
  snippetModel,
} from "@/lib/api-key-snippets";

/** The shown-once key, and how to call the gateway with it (the real base URL and a model of this project). */
export function NewKeyPanel({ apiKey, scopes }: { apiKey: string; scopes: readonly string[] }) {
  const trpc = useTRPC();
  const [language, setLanguage] = useState<SnippetLanguage>("python");
  const models = useQuery(trpc.models.list.queryOptions({ pageSize: 100 }));
  // While the models load, a placeholder rather than a name that would not work.
  const model = models.isLoading ? "…" : (snippetModel(models.data?.items ?? []) ?? "your-model");
  const baseUrl = `${typeof window === "undefined" ? "" : window.location.origin}/v1`;
  const snippet = gatewaySnippet(language, { baseUrl, key: apiKey, model });
  const invokes = scopes.includes("gateway:invoke");

  return (
    <div className="flex min-w-0 flex-col gap-3">
      <div className="flex items-center gap-2 rounded-md border border-border bg-muted p-2">
        <code data-testid="new-api-key" className="min-w-0 flex-1 break-all font-mono text-sm">
          {apiKey}
        </code>
        <CopyButton value={apiKey} label="Copy API key" onCopied={() => toast.success("Copied")} />
      </div>
      <p className="flex items-start gap-2 text-sm text-warning">
        <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
        Store it in your secret manager now. Switchyard keeps only a hash and cannot show it again.
      </p>
      <div className="flex min-w-0 flex-col gap-2">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h3 className="font-medium text-sm">Call the gateway</h3>
          <span className="text-muted-foreground text-xs">
            Base URL <code data-testid="snippet-base-url">{baseUrl}</code> · model{" "}
            <code data-testid="snippet-model">{model}</code>
          </span>
        </div>
        {!invokes && (
          <p className="text-muted-foreground text-xs">
            This key has no <code>gateway:invoke</code>: the gateway will refuse it until you create one that has.
          </p>
        )}
        <Tabs
          aria-label="Snippet language"
          tabs={SNIPPET_LANGUAGES.map((l) => ({ value: l, label: SNIPPET_LABELS[l] }))}
          value={language}
          onValueChange={(v) => setLanguage(v as SnippetLanguage)}
        />
        <div className="relative">
          <pre
            data-testid="key-snippet"
            className="max-h-64 overflow-auto rounded-md bg-muted p-3 pr-10 font-mono text-xs"
          >
            {snippet}
          </pre>
          <CopyButton
            value={snippet}
            label={`Copy ${SNIPPET_LABELS[language]} snippet`}
            className="absolute top-1 right-1"
            onCopied={() => toast.success("Copied")}
          />
        </div>
      </div>
    </div>
  );
}
