"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDateTimeSeconds, formatMoney } from "@/components/format";
import { ConversationView } from "@/components/monitoring/conversation-view";
import { FeedbackPanel } from "@/components/monitoring/feedback/feedback-panel";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { Badge, buttonStyles } from "@/components/ui";
import { conversationOf, readableJson } from "@/lib/request-conversation";

export type RequestItem = RouterOutputs["monitoring"]["requests"]["items"][number];

/** "1200 (1024 cached, 8 written)": a token count with the parts the upstream reported. */
function tokens(total: number, details: [number | null, string][]): string {
  const known = details.filter(([n]) => n !== null && n > 0).map(([n, what]) => `${n} ${what}`);
  return known.length > 0 ? `${total} (${known.join(", ")})` : String(total);
}

/** One logged request: what served it, what it cost, what it sent and answered (as the privacy setting kept it). */
export function RequestDetail({ item, projectId }: { item: RequestItem; projectId: string }) {
  const facts: [string, string][] = [
    ["Request id", item.id],
    ["Time", formatDateTimeSeconds(item.startedAt)],
    ["Endpoint", `${item.method} ${item.path}`],
    ["Model asked", item.requestedModel ?? "—"],
    ["Served by", item.deployment ?? "—"],
    ["Status", `${item.status}${item.errorCode ? ` ${item.errorCode}` : ""}`],
    ["Error", item.errorMessage ?? "—"],
    ["Finish reason", item.finishReason ?? "—"],
    [
      "Latency / TTFT",
      `${Math.round(item.latencyMs)} ms / ${item.ttftMs == null ? "—" : `${Math.round(item.ttftMs)} ms`}`,
    ],
    [
      "Tokens in",
      tokens(item.tokensIn, [
        [item.cachedTokens, "cached"],
        [item.cacheWriteTokens, "cache writes"],
      ]),
    ],
    ["Tokens out", tokens(item.tokensOut, [[item.reasoningTokens, "reasoning"]])],
    ["Cost", formatMoney(item.costUsd)],
    ["Experiment variant", item.variantId ?? "—"],
    ["End user", item.userId ?? "—"],
  ];
  return (
    <div className="flex min-w-0 flex-col gap-3 text-sm">
      <dl className="grid grid-cols-1 gap-y-1.5 sm:grid-cols-[10rem_1fr]">
        {facts.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-muted-foreground">{k}</dt>
            <dd className="wrap-anywhere mb-1 font-mono text-xs sm:mb-0">{v}</dd>
          </div>
        ))}
        <dt className="text-muted-foreground">Session</dt>
        <dd className="wrap-anywhere mb-1 font-mono text-xs sm:mb-0">
          {item.sessionId || item.userId ? (
            <Link
              className="text-accent-foreground underline underline-offset-2"
              href={sessionHref(projectId, item.sessionId ? "session" : "user", (item.sessionId ?? item.userId)!)}
            >
              {item.sessionId ?? `user ${item.userId}`}
            </Link>
          ) : (
            "—"
          )}
        </dd>
        <dt className="text-muted-foreground">Sent</dt>
        <dd className="mb-1 flex flex-wrap gap-1 sm:mb-0">
          {item.modalities?.length ? item.modalities.map((m) => <Badge key={m}>{m}</Badge>) : "—"}
        </dd>
        <dt className="text-muted-foreground">Tools called</dt>
        <dd className="flex flex-wrap gap-1">
          {item.toolNames?.length
            ? item.toolNames.map((name) => (
                <Badge key={name} tone="accent">
                  {name}
                </Badge>
              ))
            : "—"}
        </dd>
      </dl>
      <GuardrailActions actions={item.guardrails} />
      <RequestBodies id={item.id} />
      <FeedbackPanel requestId={item.id} />
      {/* The playground restores the model, the conversation and the parameters from this logged request. */}
      <Link
        className={buttonStyles({ variant: "secondary", className: "self-start" })}
        href={`/projects/${projectId}/playground?request=${encodeURIComponent(item.id)}`}
      >
        Open in playground
      </Link>
    </div>
  );
}

/** The transcript page of a session (or of a user's requests without one). */
export const sessionHref = (projectId: string, kind: "session" | "user", key: string) =>
  `/projects/${projectId}/monitoring/sessions/${kind}/${encodeURIComponent(key)}`;

/** The logged bodies, when the project's privacy setting kept them (Settings → General): as a conversation, and raw. */
function RequestBodies({ id }: { id: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.monitoring.request.queryOptions({ id }));
  if (detail.isLoading) return <p className="text-muted-foreground text-xs">Loading bodies…</p>;
  if (detail.error) return <p className="text-danger text-xs">Bodies could not be loaded: {detail.error.message}</p>;
  const row = detail.data;
  if (!row || (row.requestBody == null && row.responseBody == null))
    return (
      <p className="text-muted-foreground text-xs">
        No bodies stored: the project's request body logging was off for this request (Settings → General).
      </p>
    );
  const conversation = conversationOf(row.requestBody, row.responseBody);
  const raw = (
    <div className="flex flex-col gap-2">
      {(
        [
          ["Request body", row.requestBody],
          ["Response", row.responseBody],
        ] as const
      ).map(([label, body]) => (
        <div key={label} className="flex flex-col gap-1">
          <span className="text-muted-foreground text-xs">{label}</span>
          <pre
            data-testid={label === "Request body" ? "request-body" : "response-body"}
            className="max-h-56 overflow-auto whitespace-pre-wrap break-all rounded-md bg-muted p-2 font-mono text-xs"
          >
            {body == null ? "—" : readableJson(body)}
          </pre>
        </div>
      ))}
    </div>
  );
  if (!conversation) return raw;
  return (
    <>
      <ConversationView conversation={conversation} />
      <details className="text-xs">
        <summary className="cursor-pointer text-muted-foreground">Raw JSON</summary>
        <div className="pt-2">{raw}</div>
      </details>
    </>
  );
}

const ACTION_TONE = { block: "danger", mask: "warning", flag: "info" } as const;
export const actionTone = (action: string) => ACTION_TONE[action as keyof typeof ACTION_TONE] ?? "neutral";

/** What the route's guardrails did to this request: one line per stage, rule and action. */
function GuardrailActions({ actions }: { actions: RequestItem["guardrails"] }) {
  return (
    <section aria-label="Guardrails" className="flex flex-col gap-1.5">
      <h3 className="font-medium text-sm">Guardrails</h3>
      {actions.length === 0 ? (
        <p className="text-muted-foreground text-xs">No guardrail acted on this request.</p>
      ) : (
        <ul className="flex flex-col gap-1.5">
          {actions.map((a) => (
            <li key={`${a.stage}:${a.rule}:${a.action}`} className="flex flex-wrap items-center gap-2 text-xs">
              <Badge tone={actionTone(a.action)}>{a.action}</Badge>
              <span className="text-muted-foreground">{a.stage}</span>
              <code className="font-mono">{a.rule}</code>
              {a.count !== undefined && <span>× {a.count}</span>}
              {a.kinds && (
                <span className="text-muted-foreground">
                  {Object.entries(a.kinds)
                    .map(([kind, n]) => `${kind} ${n}`)
                    .join(", ")}
                </span>
              )}
              {a.score !== undefined && <span>score {a.score.toFixed(2)}</span>}
              {a.matched && a.matched.length > 0 && (
                <span className="text-muted-foreground">({a.matched.join(", ")})</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
