"use client";

import { Image as ImageIcon, Paperclip, Volume2, Wrench } from "lucide-react";
import { Badge, type BadgeTone } from "@/components/ui";
import type {
  Conversation,
  ConversationMessage,
  ConversationPart,
  ConversationToolCall,
} from "@/lib/request-conversation";

const ROLE_TONE: Record<string, BadgeTone> = {
  system: "neutral",
  developer: "neutral",
  user: "info",
  assistant: "accent",
  tool: "warning",
  function: "warning",
};

/**
 * A logged conversation, readable: messages by role, media as markers, tool calls and the results that answer
 * them. In a session transcript each turn shows only what is new (`skipped` earlier messages are left out).
 */
export function ConversationView({
  conversation,
  heading = "Conversation",
  skipped = 0,
}: {
  conversation: Conversation;
  heading?: string | null;
  skipped?: number;
}) {
  return (
    <section aria-label={heading ?? "Conversation"} className="flex flex-col gap-2">
      {heading && <h3 className="font-medium text-sm">{heading}</h3>}
      {skipped > 0 && (
        <p className="text-muted-foreground text-xs">
          {skipped} earlier message{skipped === 1 ? "" : "s"} (shown in the turns above) left out
        </p>
      )}
      {conversation.tools.length > 0 && (
        <p className="flex flex-wrap items-center gap-1.5 text-muted-foreground text-xs">
          Tools offered:
          {conversation.tools.map((name) => (
            <code key={name} className="rounded bg-muted px-1 font-mono text-foreground">
              {name}
            </code>
          ))}
        </p>
      )}
      <ol className="flex flex-col gap-2">
        {conversation.messages.slice(skipped).map((message, i) => (
          // Messages have no ids of their own; their order is the conversation.
          // biome-ignore lint/suspicious/noArrayIndexKey: the list never reorders
          <li key={i}>
            <Message message={message} />
          </li>
        ))}
      </ol>
      {conversation.answer && (
        <div data-testid="answer" className="flex flex-col gap-1.5 rounded-md border border-accent/40 p-2">
          <div className="flex flex-wrap items-center gap-2">
            <Badge tone="success">answer</Badge>
            {conversation.answer.finishReason && (
              <span className="text-muted-foreground text-xs">finish: {conversation.answer.finishReason}</span>
            )}
          </div>
          {conversation.answer.text && <Text text={conversation.answer.text} />}
          {conversation.answer.toolCalls.map((call, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: calls keep their order; ids may be missing
            <ToolCall key={i} call={call} />
          ))}
        </div>
      )}
    </section>
  );
}

function Message({ message }: { message: ConversationMessage }) {
  return (
    <div className="flex flex-col gap-1.5 rounded-md border p-2">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={ROLE_TONE[message.role] ?? "neutral"}>{message.role}</Badge>
        {message.toolCallId !== undefined && (
          <span className="text-muted-foreground text-xs">
            result of <code className="font-mono">{message.toolName ?? "a tool"}</code>
            {message.toolCallId && (
              <>
                {" "}
                · call <code className="font-mono">{message.toolCallId}</code>
              </>
            )}
          </span>
        )}
      </div>
      {message.parts.map((part, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: parts keep their order
        <Part key={i} part={part} />
      ))}
      {message.toolCalls.map((call, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: calls keep their order; ids may be missing
        <ToolCall key={i} call={call} />
      ))}
    </div>
  );
}

const MEDIA_ICON = { image: ImageIcon, audio: Volume2, file: Paperclip } as const;

function Part({ part }: { part: ConversationPart }) {
  if (part.kind === "text") return <Text text={part.text} />;
  const Icon = MEDIA_ICON[part.media as keyof typeof MEDIA_ICON] ?? Paperclip;
  return (
    <span className="inline-flex items-center gap-1.5 self-start rounded-md bg-muted px-2 py-1 text-xs">
      <Icon aria-hidden="true" className="size-3.5" />
      <span className="font-medium">{part.media}</span>
      <span className="wrap-anywhere text-muted-foreground">{part.label}</span>
    </span>
  );
}

function Text({ text }: { text: string }) {
  return <p className="max-h-48 overflow-auto whitespace-pre-wrap wrap-anywhere text-sm">{text}</p>;
}

function ToolCall({ call }: { call: ConversationToolCall }) {
  return (
    <div className="flex flex-col gap-1 rounded-md bg-muted/60 p-2" data-testid="tool-call">
      <div className="flex flex-wrap items-center gap-1.5 text-xs">
        <Wrench aria-hidden="true" className="size-3.5" />
        <code className="font-medium font-mono">{call.name}</code>
        {call.id && <span className="text-muted-foreground">call {call.id}</span>}
      </div>
      <pre className="max-h-40 overflow-auto whitespace-pre-wrap wrap-anywhere font-mono text-xs">{call.arguments}</pre>
    </div>
  );
}
