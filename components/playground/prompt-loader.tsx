"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { MessageSquareText } from "lucide-react";
import { useState } from "react";
import type { PlaygroundInput } from "@/components/playground/input-panel";
import { useTRPC } from "@/components/providers/trpc";
import { Badge, Button, Card, CardContent, Field, Input, Textarea } from "@/components/ui";

function parseRef(ref: string): { name: string; version?: number; label?: string } {
  const at = ref.lastIndexOf("@");
  if (at < 0) return { name: ref };
  const selector = ref.slice(at + 1);
  return /^\d+$/.test(selector)
    ? { name: ref.slice(0, at), version: Number(selector) }
    : { name: ref.slice(0, at), label: selector };
}

const sample = (raw: string): unknown => {
  try {
    return /^\s*[[{]/.test(raw) ? JSON.parse(raw) : raw;
  } catch {
    return raw;
  }
};

/** A prompt version opened in the playground: fill its variables, render it into the input, use its model. */
export function PromptLoader({
  promptRef,
  onApply,
}: {
  promptRef: string;
  onApply: (input: PlaygroundInput, model: string | null, params: Record<string, unknown>) => void;
}) {
  const trpc = useTRPC();
  const selector = parseRef(promptRef);
  const prompt = useQuery(trpc.prompts.fetch.queryOptions(selector));
  const render = useMutation(trpc.prompts.render.mutationOptions());
  const [values, setValues] = useState<Record<string, string>>({});
  if (!prompt.data) return null;
  const p = prompt.data;
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <div className="flex items-center gap-2 text-sm">
          <MessageSquareText className="size-4" aria-hidden />
          Prompt <strong>{p.name}</strong> <Badge>v{p.version}</Badge>
          {typeof p.config.model === "string" && <span className="text-muted-foreground">model {p.config.model}</span>}
        </div>
        <div className="grid grid-cols-2 gap-3">
          {p.variables.map((name) => (
            <Field key={name} label={name} htmlFor={`var-${name}`}>
              {name === "examples" ? (
                <Textarea
                  id={`var-${name}`}
                  rows={2}
                  className="font-mono text-xs"
                  value={values[name] ?? ""}
                  onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
                />
              ) : (
                <Input
                  id={`var-${name}`}
                  value={values[name] ?? ""}
                  onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
                />
              )}
            </Field>
          ))}
        </div>
        {render.error && (
          <p role="alert" className="whitespace-pre-wrap rounded-md bg-danger-soft p-2 font-mono text-danger text-xs">
            {render.error.message}
          </p>
        )}
        <Button
          className="self-start"
          loading={render.isPending}
          onClick={async () => {
            const variables = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, sample(v)]));
            try {
              const out = await render.mutateAsync({ ...selector, variables });
              const messages = out.messages ?? [];
              onApply(
                {
                  mode: out.type === "text" ? "raw" : "chat",
                  system: messages.find((m) => m.role === "system")?.content ?? "",
                  messages: messages.filter((m) => m.role !== "system"),
                  prompt: out.text ?? "",
                },
                typeof p.config.model === "string" ? p.config.model : null,
                p.config.params ?? {},
              );
            } catch {
              // shown above
            }
          }}
        >
          Render into the input
        </Button>
      </CardContent>
    </Card>
  );
}
