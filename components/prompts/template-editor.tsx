"use client";

import { Plus, Trash2 } from "lucide-react";
import { Button, Select, Textarea } from "@/components/ui";

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };
export type TemplateValue = string | ChatMessage[];

/** Edits a text template (one textarea) or a chat template (role + content per message). */
export function TemplateEditor({
  value,
  onChange,
  errorFor,
}: {
  value: TemplateValue;
  onChange: (value: TemplateValue) => void;
  errorFor?: (path: string) => string | undefined;
}) {
  if (typeof value === "string") {
    const error = errorFor?.("template");
    return (
      <div className="flex flex-col gap-1">
        <Textarea
          aria-label="Template"
          rows={12}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          className="font-mono text-xs"
          spellCheck={false}
        />
        {error && (
          <p role="alert" className="text-danger text-xs">
            {error}
          </p>
        )}
      </div>
    );
  }
  const set = (i: number, patch: Partial<ChatMessage>) =>
    onChange(value.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  return (
    <div className="flex flex-col gap-2">
      {value.map((m, i) => {
        const error = errorFor?.(`template.${i}.content`) ?? errorFor?.(`messages.${i}.content`);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: messages are positional
          <div key={i} className="flex flex-col gap-1 rounded-md border border-border p-2">
            <div className="flex items-center gap-2">
              <Select
                aria-label={`Role of template message ${i + 1}`}
                value={m.role}
                onChange={(e) => set(i, { role: e.target.value as ChatMessage["role"] })}
                className="w-36"
              >
                <option value="system">system</option>
                <option value="user">user</option>
                <option value="assistant">assistant</option>
              </Select>
              <span className="flex-1" />
              <Button
                variant="ghost"
                size="icon"
                aria-label={`Remove template message ${i + 1}`}
                disabled={value.length === 1}
                onClick={() => onChange(value.filter((_, j) => j !== i))}
              >
                <Trash2 className="size-4" aria-hidden />
              </Button>
            </div>
            <Textarea
              aria-label={`Template message ${i + 1}`}
              rows={Math.min(12, Math.max(3, m.content.split("\n").length + 1))}
              value={m.content}
              onChange={(e) => set(i, { content: e.target.value })}
              className="font-mono text-xs"
              spellCheck={false}
            />
            {error && (
              <p role="alert" className="text-danger text-xs">
                {error}
              </p>
            )}
          </div>
        );
      })}
      <Button
        variant="ghost"
        size="sm"
        className="self-start"
        onClick={() =>
          onChange([...value, { role: value.at(-1)?.role === "user" ? "assistant" : "user", content: "" }])
        }
      >
        <Plus className="size-4" aria-hidden /> Add message
      </Button>
    </div>
  );
}
