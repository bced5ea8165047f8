"use client";

import { useQuery } from "@tanstack/react-query";
import { MessagesSquare } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { formatDateTimeSeconds, formatMoney } from "@/components/format";
import { ConversationView } from "@/components/monitoring/conversation-view";
import { FeedbackPanel } from "@/components/monitoring/feedback/feedback-panel";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { Badge, EmptyState, ErrorState, LoadingState, Stat } from "@/components/ui";
import { conversationOf } from "@/lib/request-conversation";
import type { SessionKind } from "@/lib/sessions";
import { sessionWindow } from "./session-range";

type Turn = RouterOutputs["requests"]["session"]["turns"][number];

/**
 * How many of a turn's messages the turns before it already showed: a chat client sends the whole history
 * each time, so turn n repeats turn n-1's messages and answer. Only a turn that starts with exactly that many
 * (or more) messages is trimmed; anything else is shown whole.
 */
function repeated(previous: ReturnType<typeof conversationOf>, current: ReturnType<typeof conversationOf>): number {
  if (!previous || !current) return 0;
  const shown = previous.messages.length + (previous.answer ? 1 : 0);
  return current.messages.length > shown ? shown : 0;
}

/** A session's requests in order, each as the part of the conversation it added, with its answer. */
export function SessionTranscript({ kind, sessionKey }: { kind: SessionKind; sessionKey: string }) {
  const trpc = useTRPC();
  const range = useSearchParams().get("range") ?? "30d";
  const window = useMemo(() => sessionWindow(range), [range]);
  const session = useQuery(trpc.requests.session.queryOptions({ ...window, kind, key: sessionKey }));
  if (session.isLoading) return <LoadingState label="Loading the session…" />;
  if (session.error) return <ErrorState message={session.error.message} onRetry={() => void session.refetch()} />;
  const data = session.data;
  if (!data?.summary)
    return (
      <EmptyState
        icon={MessagesSquare}
        title="No requests in this session in the last 30 days"
        description="Requests older than the range (or past the log's retention) are not shown."
      />
    );
  const conversations = data.turns.map((t) => conversationOf(t.requestBody, t.responseBody));
  const { summary } = data;
  return (
    <div className="flex flex-col gap-4">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Stat label="Requests" value={String(summary.requests)} />
        <Stat label="Errors" value={String(summary.errors)} />
        <Stat label="Cost" value={formatMoney(summary.costUsd)} />
        <Stat label="Tokens in / out" value={`${summary.tokensIn} / ${summary.tokensOut}`} />
      </div>
      <p className="text-muted-foreground text-sm">
        {formatDateTimeSeconds(summary.firstSeen)} → {formatDateTimeSeconds(summary.lastSeen)}
        {summary.users.length > 0 && kind === "session" && ` · users: ${summary.users.join(", ")}`}
      </p>
      {data.truncated && (
        <p className="text-warning text-sm">
          Showing the first {data.turns.length} of {summary.requests} requests.
        </p>
      )}
      <ol className="flex flex-col gap-3" aria-label="Transcript">
        {data.turns.map((turn, i) => (
          <li key={turn.id}>
            <TurnCard
              turn={turn}
              index={i + 1}
              conversation={conversations[i]}
              skipped={repeated(conversations[i - 1] ?? null, conversations[i])}
            />
          </li>
        ))}
      </ol>
    </div>
  );
}

function TurnCard({
  turn,
  index,
  conversation,
  skipped,
}: {
  turn: Turn;
  index: number;
  conversation: ReturnType<typeof conversationOf>;
  skipped: number;
}) {
  const [feedbackOpen, setFeedbackOpen] = useState(false);
  return (
    <article className="flex min-w-0 flex-col gap-2 rounded-lg border bg-card p-3" data-testid="turn">
      <header className="flex flex-wrap items-center gap-2 text-xs">
        <span className="font-medium text-sm">#{index}</span>
        <time dateTime={new Date(turn.startedAt).toISOString()}>{formatDateTimeSeconds(turn.startedAt)}</time>
        <Badge tone={turn.status < 400 ? "success" : turn.status < 500 ? "warning" : "danger"}>{turn.status}</Badge>
        {turn.requestedModel && <code className="font-mono">{turn.requestedModel}</code>}
        <span className="text-muted-foreground">
          {Math.round(turn.latencyMs)} ms · {formatMoney(turn.costUsd)}
        </span>
        {turn.userId && <span className="text-muted-foreground">user {turn.userId}</span>}
      </header>
      {turn.errorMessage && <p className="text-danger text-xs">{turn.errorMessage}</p>}
      {conversation ? (
        <ConversationView conversation={conversation} heading={null} skipped={skipped} />
      ) : (
        <p className="text-muted-foreground text-xs">
          No bodies stored for this request (the project's request body logging was off, Settings → General).
        </p>
      )}
      {/* Loaded when opened: a long session does not fetch every turn's scores up front. */}
      <details className="text-xs" onToggle={(e) => setFeedbackOpen(e.currentTarget.open)}>
        <summary className="cursor-pointer text-muted-foreground">Feedback</summary>
        <div className="pt-2">{feedbackOpen && <FeedbackPanel requestId={turn.id} />}</div>
      </details>
    </article>
  );
}
