"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight, GitCompareArrows, TriangleAlert } from "lucide-react";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { CaseCard } from "@/components/eval-results/case-card";
import { TestsCard } from "@/components/eval-results/tests-card";
import { useTRPC } from "@/components/providers/trpc";
import {
  Button,
  Card,
  CardContent,
  EmptyState,
  ErrorState,
  LoadingState,
  PageHeader,
  Select,
  Stat,
  Tabs,
} from "@/components/ui";
import { CASE_CHANGES, type CaseChange, parseTargetRef, targetRef } from "@/lib/evals/compare";

const PAGE_SIZE = 20;
const CHANGE_LABELS: Record<CaseChange, string> = {
  regression: "Regressions",
  improvement: "Improvements",
  unchanged: "Unchanged",
  only_a: "Only in A",
  only_b: "Only in B",
};

/**
 * Two targets side by side, linkable: `?a=<run>:<position>&b=<run>:<position>` (`&change=regression&page=2`).
 * The paired tests in words first, then the cases: regressions, improvements, unchanged, one-sided.
 */
export function CompareView() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const a = parseTargetRef(params.get("a"));
  const b = parseTargetRef(params.get("b"));
  const changeParam = params.get("change");
  const change = (CASE_CHANGES as readonly string[]).includes(changeParam ?? "")
    ? (changeParam as CaseChange)
    : undefined;
  const page = Math.max(1, Number(params.get("page")) || 1);
  const go = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) next.delete(k);
      else next.set(k, v);
    }
    router.push(`${pathname}?${next}`, { scroll: false });
  };

  const choices = useQuery(trpc.evalResults.runChoices.queryOptions({ limit: 50 }));
  const ready = a && b;
  const compare = useQuery({
    ...trpc.evalResults.compare.queryOptions({
      runA: a?.runId ?? "",
      targetA: a?.position ?? 0,
      runB: b?.runId ?? "",
      targetB: b?.position ?? 1,
      change,
      page,
      pageSize: PAGE_SIZE,
    }),
    enabled: Boolean(ready),
    placeholderData: keepPreviousData,
  });

  const options = (choices.data ?? []).flatMap((run) =>
    run.targets.map((t) => ({
      value: targetRef(run.id, t.position),
      label: `${run.name || run.id.slice(0, 8)} · ${t.label}`,
    })),
  );
  const picker = (side: "a" | "b", ref: typeof a) => {
    const value = ref ? targetRef(ref.runId, ref.position) : "";
    const known = options.some((o) => o.value === value);
    return (
      <Select
        aria-label={side === "a" ? "A (baseline)" : "B (candidate)"}
        className="w-full sm:w-80"
        value={value}
        onChange={(e) => go({ [side]: e.target.value || undefined, page: undefined })}
      >
        <option value="">{side === "a" ? "Pick A (baseline)…" : "Pick B (candidate)…"}</option>
        {!known && value && <option value={value}>{value}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </Select>
    );
  };

  const c = compare.data;
  return (
    <>
      <PageHeader
        title="Compare eval results"
        breadcrumbs={[{ label: "Evals", href: `/projects/${projectId}/evals` }, { label: "Compare" }]}
        description="Case by case: A is the baseline, B the candidate. Regressions first."
      />
      <Card>
        <CardContent className="flex flex-col gap-2 pt-4 sm:flex-row sm:items-center">
          {picker("a", a)}
          <GitCompareArrows
            className="size-4 shrink-0 self-center text-muted-foreground max-sm:rotate-90"
            aria-hidden
          />
          {picker("b", b)}
        </CardContent>
      </Card>
      {!ready ? (
        <EmptyState
          icon={GitCompareArrows}
          title="Pick two targets"
          description="Two targets of one run (two prompt versions) or targets of two runs, over the same dataset."
        />
      ) : compare.isLoading ? (
        <LoadingState label="Pairing the cases…" />
      ) : compare.error || !c ? (
        <ErrorState message={compare.error?.message ?? "Nothing to compare"} onRetry={() => void compare.refetch()} />
      ) : (
        <>
          {c.capped && (
            <p role="status" className="flex items-center gap-2 rounded-md bg-warning-soft p-2 text-sm text-warning">
              <TriangleAlert className="size-4 shrink-0" aria-hidden /> Only the first{" "}
              {c.maxCases.toLocaleString("en-US")} cases (by index) are compared; the rest are left out of the counts
              and the tests.
            </p>
          )}
          <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
            <Stat label="Regressions" value={c.counts.regressions} hint={`of ${c.counts.paired} paired cases`} />
            <Stat label="Improvements" value={c.counts.improvements} />
            <Stat label="Unchanged" value={c.counts.unchanged} hint={`score within ±${c.epsilon}`} />
            <Stat
              label="One side only"
              value={c.counts.onlyA + c.counts.onlyB}
              hint={`${c.counts.onlyA} only in A, ${c.counts.onlyB} only in B`}
            />
          </div>
          <TestsCard compare={c} />
          <Tabs
            aria-label="Cases shown"
            value={change ?? "all"}
            onValueChange={(v) => go({ change: v === "all" ? undefined : v, page: undefined })}
            tabs={[
              { value: "all", label: `All (${c.counts.paired + c.counts.onlyA + c.counts.onlyB})` },
              ...CASE_CHANGES.map((k) => ({
                value: k,
                label: `${CHANGE_LABELS[k]} (${{ regression: c.counts.regressions, improvement: c.counts.improvements, unchanged: c.counts.unchanged, only_a: c.counts.onlyA, only_b: c.counts.onlyB }[k]})`,
              })),
            ]}
          />
          {c.cases.items.length === 0 ? (
            <EmptyState title="No cases here" description="Another tab may have some." />
          ) : (
            <ol className="flex flex-col gap-3" aria-label="Cases">
              {c.cases.items.map((item) => (
                <CaseCard key={item.caseIndex} item={item} />
              ))}
            </ol>
          )}
          <div className="flex items-center justify-between gap-2">
            <p className="text-muted-foreground text-xs tabular-nums">
              Page {page} of {Math.max(1, Math.ceil(c.cases.total / PAGE_SIZE))} · {c.cases.total} cases
            </p>
            <div className="flex gap-1.5">
              <Button variant="secondary" size="sm" disabled={page <= 1} onClick={() => go({ page: String(page - 1) })}>
                <ChevronLeft aria-hidden /> Previous
              </Button>
              <Button
                variant="secondary"
                size="sm"
                disabled={page * PAGE_SIZE >= c.cases.total}
                onClick={() => go({ page: String(page + 1) })}
              >
                Next <ChevronRight aria-hidden />
              </Button>
            </div>
          </div>
        </>
      )}
    </>
  );
}
