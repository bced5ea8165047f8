"use client";

import { Plus, Trash2 } from "lucide-react";
import type { Message } from "@/components/playground/types";
import { Button, Card, CardContent, Select, Tabs, Textarea } from "@/components/ui";

export interface PlaygroundInput {
  mode: "chat" | "raw";
  system: string;
  messages: Message[];
  prompt: string;
}

export function InputPanel({
  value,
  onChange,
  disabled,
}: {
  value: PlaygroundInput;
  onChange: (value: PlaygroundInput) => void;
  disabled: boolean;
}) {
  const setMessage = (i: number, patch: Partial<Message>) =>
    onChange({ ...value, messages: value.messages.map((m, j) => (j === i ? { ...m, ...patch } : m)) });
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <Tabs
          aria-label="Input mode"
          value={value.mode}
          onValueChange={(mode) => onChange({ ...value, mode: mode as PlaygroundInput["mode"] })}
          tabs={[
            { value: "chat", label: "Chat messages" },
            { value: "raw", label: "Raw text" },
          ]}
        />
        {value.mode === "chat" ? (
          <>
            <Textarea
              aria-label="System message"
              placeholder="System message (optional)"
              rows={2}
              value={value.system}
              disabled={disabled}
              onChange={(e) => onChange({ ...value, system: e.target.value })}
            />
            {value.messages.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: messages have no identity beyond their position
              <div key={i} className="flex items-start gap-2">
                <Select
                  aria-label={`Role of message ${i + 1}`}
                  value={m.role}
                  disabled={disabled}
                  onChange={(e) => setMessage(i, { role: e.target.value as Message["role"] })}
                  className="w-28 shrink-0 sm:w-32"
                >
                  <option value="user">user</option>
                  <option value="assistant">assistant</option>
                  <option value="system">system</option>
                </Select>
                <Textarea
                  aria-label={`Message ${i + 1}`}
                  placeholder={m.role === "user" ? "Write a message (Ctrl+Enter runs)" : undefined}
                  rows={2}
                  value={m.content}
                  disabled={disabled}
                  onChange={(e) => setMessage(i, { content: e.target.value })}
                />
                <Button
                  variant="ghost"
                  size="icon"
                  aria-label={`Remove message ${i + 1}`}
                  disabled={disabled || value.messages.length === 1}
                  onClick={() => onChange({ ...value, messages: value.messages.filter((_, j) => j !== i) })}
                >
                  <Trash2 className="size-4" aria-hidden />
                </Button>
              </div>
            ))}
            <Button
              variant="ghost"
              size="sm"
              className="self-start"
              disabled={disabled}
              onClick={() => {
                const last = value.messages.at(-1)?.role;
                onChange({
                  ...value,
                  messages: [...value.messages, { role: last === "user" ? "assistant" : "user", content: "" }],
                });
              }}
            >
              <Plus className="size-4" aria-hidden /> Add message
            </Button>
          </>
        ) : (
          <Textarea
            aria-label="Prompt"
            placeholder="Raw text: the model continues it (Ctrl+Enter runs)"
            rows={5}
            value={value.prompt}
            disabled={disabled}
            onChange={(e) => onChange({ ...value, prompt: e.target.value })}
          />
        )}
      </CardContent>
    </Card>
  );
}
