import Link from "next/link";
import { useParams } from "next/navigation";
import { requestHref, score, signedScore } from "@/components/eval-results/parts";
import { SplitDiff } from "@/components/eval-results/split-diff";
import { Badge, type BadgeTone, Card, CardContent } from "@/components/ui";
import type { CaseChange, CaseComparisonOut, CaseSideOut } from "@/lib/evals/compare";

const CHANGE: Record<CaseChange, { label: string; tone: BadgeTone }> = {
  regression: { label: "regression", tone: "danger" },
  improvement: { label: "improvement", tone: "success" },
  unchanged: { label: "unchanged", tone: "neutral" },
  only_a: { label: "only in A", tone: "warning" },
  only_b: { label: "only in B", tone: "warning" },
};

function SideLine({ side, name }: { side: CaseSideOut; name: "A" | "B" }) {
  const { projectId } = useParams<{ projectId: string }>();
  return (
    <span className="flex flex-wrap items-center gap-x-2 text-xs">
      <span className="font-medium">{name}</span>
      <span className="tabular-nums">{score(side.score)}</span>
      <Badge tone={side.passed ? "success" : "danger"}>{side.passed ? "pass" : "fail"}</Badge>
      {side.trials > 1 && <span className="text-muted-foreground">mean of {side.trials} trials</span>}
      {side.requestId && (
        <Link className="text-primary hover:underline" href={requestHref(projectId, side.createdAt)}>
          request
        </Link>
      )}
    </span>
  );
}

/** One case: what changed, the evaluators' scores and reasons on each side, and the outputs side by side. */
export function CaseCard({ item }: { item: CaseComparisonOut }) {
  const change = CHANGE[item.change];
  const only = item.a ?? item.b;
  return (
    <li data-testid={`case-${item.caseIndex}`}>
      <Card>
        <CardContent className="flex flex-col gap-2 pt-3">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-mono text-xs">#{item.caseIndex}</span>
            <Badge tone={change.tone}>{change.label}</Badge>
            {item.delta !== null && <span className="text-xs tabular-nums">Δ {signedScore(item.delta)}</span>}
            <span className="ml-auto flex flex-wrap gap-x-4 gap-y-1">
              {item.a && <SideLine side={item.a} name="A" />}
              {item.b && <SideLine side={item.b} name="B" />}
            </span>
          </div>
          <p className="break-words text-sm">{item.inputPreview}</p>
          {item.expected !== null && (
            <p className="break-words text-muted-foreground text-xs">
              <span className="font-medium">Expected:</span> {item.expected}
            </p>
          )}
          {item.evaluators.length > 0 && (
            <ul className="flex flex-col gap-0.5 text-xs" aria-label="Evaluators">
              {item.evaluators.map((e) => {
                const moved = e.passedA !== e.passedB || Math.abs((e.scoreB ?? 0) - (e.scoreA ?? 0)) > 1e-9;
                return (
                  <li key={e.name} className={moved ? "" : "text-muted-foreground"}>
                    <span className="font-medium">{e.name}</span>{" "}
                    <span className="tabular-nums">
                      {score(e.scoreA)} → {score(e.scoreB)}
                    </span>
                    {moved && e.reasonB && <span> · B: {e.reasonB}</span>}
                    {moved && e.reasonA && <span className="text-muted-foreground"> · A: {e.reasonA}</span>}
                  </li>
                );
              })}
            </ul>
          )}
          {(item.a?.error || item.b?.error) && (
            <p className="text-danger text-xs">
              {item.a?.error && `A failed: ${item.a.error}. `}
              {item.b?.error && `B failed: ${item.b.error}.`}
            </p>
          )}
          {item.diff && item.a && item.b ? (
            <SplitDiff diff={item.diff} a={item.a.output ?? ""} b={item.b.output ?? ""} />
          ) : (
            only?.output && (
              <pre className="whitespace-pre-wrap break-words rounded-md border border-border bg-subtle/60 p-2 font-mono text-xs">
                {only.output}
              </pre>
            )
          )}
        </CardContent>
      </Card>
    </li>
  );
}
