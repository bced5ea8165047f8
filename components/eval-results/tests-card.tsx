import { pct, score, signedScore } from "@/components/eval-results/parts";
import { Badge, Card, CardContent } from "@/components/ui";
import { ScrollBox } from "@/components/ui/scroll-box";
import type { CompareOut, MetricComparisonOut } from "@/lib/evals/compare";
import { formatP } from "@/lib/evals/paired";

/** "B better" / "B worse" when the test says the difference is real at 95 %, else "not significant". */
function Direction({ significant, delta }: { significant: boolean; delta: number }) {
  if (!significant) return <Badge>not significant</Badge>;
  return delta > 0 ? <Badge tone="success">B better</Badge> : <Badge tone="danger">B worse</Badge>;
}

const scoreP = (m: MetricComparisonOut) => (m.scoreTest === "paired_t" ? m.pairedT.pValue : m.wilcoxon.pValue);
const scoreSignificant = (m: MetricComparisonOut) =>
  m.scoreTest === "paired_t" ? m.pairedT.significant : m.wilcoxon.significant;

/** The paired tests: overall in words, then one row per evaluator with every test's p-value. */
export function TestsCard({ compare }: { compare: CompareOut }) {
  const { a, b, overall } = compare;
  const rows = [overall, ...compare.evaluators];
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <h2 className="flex flex-wrap items-baseline gap-x-2 text-sm">
          <span className="text-muted-foreground">A</span>
          <span className="font-medium">{a.targetLabel}</span>
          <span className="text-muted-foreground text-xs">({a.runName || a.runId.slice(0, 8)})</span>
          <span className="text-muted-foreground">vs B</span>
          <span className="font-medium">{b.targetLabel}</span>
          <span className="text-muted-foreground text-xs">({b.runName || b.runId.slice(0, 8)})</span>
        </h2>
        <div className="flex flex-col gap-1.5 text-sm" data-testid="overall-verdict">
          <p className="flex flex-wrap items-start gap-2">
            <Direction
              significant={overall.mcnemar.significant}
              delta={overall.mcnemar.onlyB - overall.mcnemar.onlyA}
            />
            <span className="min-w-0 flex-1">{overall.passVerdict}</span>
          </p>
          <p className="flex flex-wrap items-start gap-2">
            <Direction significant={scoreSignificant(overall)} delta={(overall.meanB ?? 0) - (overall.meanA ?? 0)} />
            <span className="min-w-0 flex-1">{overall.scoreVerdict}</span>
          </p>
          <p className="text-muted-foreground text-xs">
            {overall.scoreTestReason}. Significance at 95%, two-sided; cases on one side only are not in the tests.
          </p>
        </div>
        <ScrollBox label="Tests per evaluator (scrolls sideways)">
          <table className="w-full min-w-[52rem] text-sm [&_td]:whitespace-nowrap [&_td]:pr-3 [&_th]:pr-3">
            <thead className="text-left text-muted-foreground text-xs">
              <tr className="border-border border-b">
                <th className="py-1.5 font-medium">Metric</th>
                <th className="font-medium">Pairs</th>
                <th className="font-medium">Pass rate A → B</th>
                <th className="font-medium">McNemar</th>
                <th className="font-medium">Mean A → B</th>
                <th className="font-medium">Δ (95% CI)</th>
                <th className="font-medium">Paired t</th>
                <th className="font-medium">Wilcoxon</th>
                <th className="font-medium">Score verdict</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {rows.map((m) => (
                <tr key={m.metric} data-testid={`tests-${m.metric}`}>
                  <td className="py-1.5 font-medium">{m.metric}</td>
                  <td className="tabular-nums">{m.pairs}</td>
                  <td className="tabular-nums">
                    {pct(m.passRateA)} → {pct(m.passRateB)}
                  </td>
                  <td className="tabular-nums">
                    <span title={`B fixed ${m.mcnemar.onlyB}, broke ${m.mcnemar.onlyA}`}>
                      +{m.mcnemar.onlyB} / −{m.mcnemar.onlyA}
                    </span>{" "}
                    <span className="text-muted-foreground text-xs">{formatP(m.mcnemar.pValue)}</span>
                  </td>
                  <td className="tabular-nums">
                    {score(m.meanA)} → {score(m.meanB)}
                  </td>
                  <td className="tabular-nums">
                    {signedScore(m.pairedT.meanDifference)}{" "}
                    {m.pairedT.ci && (
                      <span className="text-muted-foreground text-xs">
                        [{signedScore(m.pairedT.ci[0])}, {signedScore(m.pairedT.ci[1])}]
                      </span>
                    )}
                  </td>
                  <td className="text-xs tabular-nums">{formatP(m.pairedT.pValue)}</td>
                  <td className="text-xs tabular-nums">{formatP(m.wilcoxon.pValue)}</td>
                  <td>
                    <span title={`${m.scoreTest === "paired_t" ? "paired t" : "Wilcoxon"}: ${formatP(scoreP(m))}`}>
                      <Direction significant={scoreSignificant(m)} delta={(m.meanB ?? 0) - (m.meanA ?? 0)} />
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      </CardContent>
    </Card>
  );
}
