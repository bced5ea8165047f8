"use client";

import { useQuery } from "@tanstack/react-query";
import { MessagesSquare } from "lucide-react";
import Link from "next/link";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { formatDateTimeSeconds, formatMoney } from "@/components/format";
import { sessionHref } from "@/components/monitoring/request-detail";
import { useTRPC } from "@/components/providers/trpc";
import { Badge, DataTable, type DataTableColumn, EmptyState, Select } from "@/components/ui";
import type { SessionKind, SessionSummary } from "@/lib/sessions";
import { SESSION_RANGES, type SessionRange, sessionWindow } from "./session-range";

/** Sessions (requests sharing x-switchyard-session) and users (requests sharing `user` without a session). */
export function SessionList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const range = (params.get("range") ?? "24h") as SessionRange;
  const kindParam = params.get("kind");
  const kind: SessionKind | undefined = kindParam === "session" || kindParam === "user" ? kindParam : undefined;
  const window = useMemo(() => sessionWindow(range), [range]);
  const sessions = useQuery(trpc.requests.sessions.queryOptions({ ...window, ...(kind ? { kind } : {}), limit: 100 }));
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(key, value);
    else next.delete(key);
    router.push(`${pathname}?${next}`, { scroll: false });
  };
  const columns: DataTableColumn<SessionSummary>[] = [
    {
      key: "key",
      header: "Session",
      cell: (s) => (
        <Link
          className="wrap-anywhere font-mono text-xs underline underline-offset-2"
          href={sessionHref(projectId, s.kind, s.key)}
        >
          {s.key}
        </Link>
      ),
    },
    {
      key: "kind",
      header: "By",
      cell: (s) => (
        <Badge tone={s.kind === "session" ? "accent" : "info"}>{s.kind === "session" ? "header" : "user"}</Badge>
      ),
    },
    { key: "requests", header: "Requests", className: "text-right", cell: (s) => s.requests },
    {
      key: "errors",
      header: "Errors",
      className: "text-right",
      cell: (s) => (s.errors ? <Badge tone="danger">{s.errors}</Badge> : 0),
    },
    {
      key: "first",
      header: "First seen",
      className: "whitespace-nowrap",
      cell: (s) => formatDateTimeSeconds(s.firstSeen),
    },
    {
      key: "last",
      header: "Last seen",
      className: "whitespace-nowrap",
      cell: (s) => formatDateTimeSeconds(s.lastSeen),
    },
    { key: "cost", header: "Cost", className: "text-right", cell: (s) => formatMoney(s.costUsd) },
    {
      key: "users",
      header: "Users",
      cell: (s) => (s.kind === "user" ? "—" : s.users.join(", ") || "—"),
    },
  ];
  return (
    <DataTable
      caption="Sessions"
      columns={columns}
      rows={sessions.data?.items}
      rowKey={(s) => `${s.kind}:${s.key}`}
      loading={sessions.isLoading}
      error={sessions.error}
      onRetry={() => void sessions.refetch()}
      toolbar={
        <>
          <Select
            aria-label="Time range"
            className="w-44"
            value={range}
            onChange={(e) => setParam("range", e.target.value)}
          >
            {Object.entries(SESSION_RANGES).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
          <Select
            aria-label="Grouped by"
            className="w-52"
            value={kind ?? ""}
            onChange={(e) => setParam("kind", e.target.value)}
          >
            <option value="">Sessions and users</option>
            <option value="session">Session header only</option>
            <option value="user">Users without a session</option>
          </Select>
        </>
      }
      empty={
        <EmptyState
          icon={MessagesSquare}
          title="No sessions in this range"
          description="Send x-switchyard-session (or a user in the body) with gateway requests to group them."
        />
      }
    />
  );
}
