"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ChevronDown, ChevronLeft, ChevronRight } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useState } from "react";
import { requestHref, score } from "@/components/eval-results/parts";
import { formatMoney } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { Badge, Button, Card, CardContent, Checkbox, EmptyState, ErrorState, Input, Select } from "@/components/ui";
import { Skeleton } from "@/components/ui/skeleton";
import type { ResultRowOut, RunTargetOut } from "@/lib/evals/compare";

const PAGE_SIZE = 25;

interface Filters {
  target?: number;
  failedOnly?: boolean;
  evaluator?: string;
  below?: number;
  search?: string;
}

function Verdict({ passed, error }: { passed: boolean | null; error: string | null }) {
  if (error) return <Badge tone="danger">error</Badge>;
  if (passed === null) return <Badge>unscored</Badge>;
  return <Badge tone={passed ? "success" : "danger"}>{passed ? "pass" : "fail"}</Badge>;
}

/** Every result of the run (case × target × trial), filtered and paged; a row opens to its scores and reasons. */
export function ResultsList({
  runId,
  targets,
  evaluators,
  live,
}: {
  runId: string;
  targets: RunTargetOut[];
  evaluators: string[];
  live: boolean;
}) {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({});
  const [searchText, setSearchText] = useState("");
  const [page, setPage] = useState(1);
  const change = (next: Filters) => {
    setFilters(next);
    setPage(1);
  };
  const results = useQuery({
    ...trpc.evalResults.results.queryOptions({ runId, ...filters, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 5_000 : false,
  });
  const labels = new Map(targets.map((t) => [t.position, t.label]));
  const total = results.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <h2 className="font-medium text-sm">Cases</h2>
        <form
          className="flex flex-wrap items-center gap-2"
          aria-label="Filter cases"
          onSubmit={(e) => {
            e.preventDefault();
            change({ ...filters, search: searchText.trim() || undefined });
          }}
        >
          <Select
            aria-label="Target"
            className="w-48"
            value={filters.target ?? ""}
            onChange={(e) => change({ ...filters, target: e.target.value === "" ? undefined : Number(e.target.value) })}
          >
            <option value="">All targets</option>
            {targets.map((t) => (
              <option key={t.position} value={t.position}>
                {t.label}
              </option>
            ))}
          </Select>
          <Select
            aria-label="Evaluator"
            className="w-44"
            value={filters.evaluator ?? ""}
            onChange={(e) => change({ ...filters, evaluator: e.target.value || undefined })}
          >
            <option value="">Any evaluator</option>
            {evaluators.map((name) => (
              <option key={name} value={name}>
                {name} failed
              </option>
            ))}
          </Select>
          {filters.evaluator && (
            <Input
              aria-label="Score below"
              type="number"
              min={0}
              max={1}
              step={0.05}
              placeholder="or score below…"
              className="w-36"
              value={filters.below ?? ""}
              onChange={(e) =>
                change({ ...filters, below: e.target.value === "" ? undefined : Number(e.target.value) })
              }
            />
          )}
          <Checkbox
            label="Failed only"
            checked={filters.failedOnly ?? false}
            onChange={(e) => change({ ...filters, failedOnly: e.target.checked || undefined })}
          />
          <Input
            aria-label="Search outputs"
            placeholder="Search outputs…"
            className="w-48 grow sm:grow-0"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
          />
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
        {results.error ? (
          <ErrorState message={results.error.message} onRetry={() => void results.refetch()} />
        ) : !results.data ? (
          <div className="flex flex-col gap-2">
            {[0, 1, 2].map((i) => (
              <Skeleton key={i} className="h-12 w-full" />
            ))}
          </div>
        ) : results.data.items.length === 0 ? (
          <EmptyState title="No cases match" description="Another filter may have some." />
        ) : (
          <ul className="flex flex-col divide-y divide-border rounded-md border border-border" aria-label="Cases">
            {results.data.items.map((r) => (
              <ResultRow
                key={`${r.targetPosition}-${r.caseIndex}-${r.trial}`}
                row={r}
                target={labels.get(r.targetPosition) ?? `#${r.targetPosition}`}
              />
            ))}
          </ul>
        )}
        <div className="flex items-center justify-between gap-2">
          <p className="text-muted-foreground text-xs tabular-nums" aria-live="polite">
            {total ? `Page ${page} of ${pages} · ${total.toLocaleString("en-US")} results` : ""}
          </p>
          <div className="flex gap-1.5">
            <Button variant="secondary" size="sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              <ChevronLeft aria-hidden /> Previous
            </Button>
            <Button variant="secondary" size="sm" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Next <ChevronRight aria-hidden />
            </Button>
          </div>
        </div>
      </CardContent>
    </Card>
  );
}

function ResultRow({ row, target }: { row: ResultRowOut; target: string }) {
  const { projectId } = useParams<{ projectId: string }>();
  const [open, setOpen] = useState(false);
  const id = `result-${row.targetPosition}-${row.caseIndex}-${row.trial}`;
  return (
    <li data-testid={id}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={`${id}-details`}
        onClick={() => setOpen(!open)}
        className="grid w-full grid-cols-[auto_1fr_auto] items-start gap-x-3 gap-y-1 px-3 py-2 text-left text-sm hover:bg-subtle/70 sm:grid-cols-[5.5rem_10rem_1fr_1fr_auto_auto]"
      >
        <span className="font-mono text-xs tabular-nums">
          #{row.caseIndex}
          {row.trial ? ` · t${row.trial}` : ""}
        </span>
        <span className="truncate text-muted-foreground text-xs max-sm:col-span-1">{target}</span>
        <span className="flex items-center gap-2 justify-self-end sm:order-last">
          <span className="tabular-nums text-xs">{score(row.score)}</span>
          <Verdict passed={row.passed} error={row.error} />
          <ChevronDown className={`size-4 transition-transform ${open ? "rotate-180" : ""}`} aria-hidden />
        </span>
        <span className="col-span-3 truncate sm:col-span-1">{row.inputPreview}</span>
        <span className="col-span-3 truncate text-muted-foreground sm:col-span-1">
          {row.error ? <span className="text-danger">{row.error}</span> : row.output}
        </span>
        <span className="col-span-3 text-muted-foreground text-xs tabular-nums sm:col-span-1 sm:text-right">
          {row.latencyMs === null ? "" : `${Math.round(row.latencyMs)} ms · `}
          {formatMoney(row.costUsd)}
        </span>
      </button>
      {open && (
        <div id={`${id}-details`} className="flex flex-col gap-3 border-border border-t px-3 py-3 text-sm">
          <div className="grid gap-3 md:grid-cols-2">
            <section aria-label="Input" className="flex min-w-0 flex-col gap-1">
              <h3 className="font-medium text-muted-foreground text-xs">Input</h3>
              <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-words rounded-md border border-border bg-card p-2 font-mono text-xs">
                {JSON.stringify(row.input, null, 2)}
              </pre>
              {row.expected !== null && (
                <>
                  <h3 className="font-medium text-muted-foreground text-xs">Expected</h3>
                  <pre className="whitespace-pre-wrap break-words rounded-md border border-border bg-card p-2 font-mono text-xs">
                    {row.expected}
                  </pre>
                </>
              )}
            </section>
            <section aria-label="Output" className="flex min-w-0 flex-col gap-1">
              <h3 className="font-medium text-muted-foreground text-xs">Output</h3>
              <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-words rounded-md border border-border bg-card p-2 font-mono text-xs">
                {row.error ? `Error: ${row.error}` : row.output}
                {row.outputTruncated ? "\n… (cut)" : ""}
              </pre>
            </section>
          </div>
          {row.scores.length > 0 && (
            <table className="w-full text-xs" aria-label="Scores">
              <thead className="text-left text-muted-foreground">
                <tr>
                  <th className="py-1 pr-3 font-medium">Evaluator</th>
                  <th className="pr-3 font-medium">Score</th>
                  <th className="pr-3 font-medium">Verdict</th>
                  <th className="font-medium">Reason</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {row.scores.map((s) => (
                  <tr key={s.name} className="align-top">
                    <td className="py-1 pr-3 font-medium">{s.name}</td>
                    <td className="pr-3 tabular-nums">{score(s.score)}</td>
                    <td className="pr-3">
                      <Verdict passed={s.passed} error={null} />
                    </td>
                    <td className="break-words">{s.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="flex flex-wrap gap-x-4 gap-y-1 text-muted-foreground text-xs">
            <span>
              tokens {row.tokensIn} in / {row.tokensOut} out
            </span>
            <span>cost {formatMoney(row.costUsd)}</span>
            {row.evalCostUsd > 0 && <span>evaluators {formatMoney(row.evalCostUsd)}</span>}
            {row.requestId && (
              <Link className="text-primary hover:underline" href={requestHref(projectId, row.createdAt)}>
                request {row.requestId}
              </Link>
            )}
          </p>
        </div>
      )}
    </li>
  );
}
