import type { z } from "zod";
import { decisionRisks } from "@/lib/experiments/decision";
import { DomainError } from "@/server/errors";
import { recordAudit } from "@/server/modules/audit/service";
import type { ServiceDeps } from "@/server/modules/deps";
import { experimentResults } from "@/server/modules/experiments/results";
import type { concludeInput, ExperimentDecision } from "@/server/modules/experiments/schemas";
import { experimentInclude, loadExperiment, toExperimentOut } from "@/server/modules/experiments/service";
import { moveLabel } from "@/server/modules/prompts/labels";

/**
 * Records the decision and, when asked, promotes the winner's prompt
 * version: the label moves in the same transaction as the decision.
 * Declaring a winner the data does not back (not significant on the
 * primary metric, planned size not reached, sample-ratio mismatch) needs
 * `acknowledgeNotSignificant`, and the acknowledged risks are recorded.
 */
export async function concludeExperiment(deps: ServiceDeps, input: z.output<typeof concludeInput>) {
  const { caller } = deps;
  // Read outside the transaction: the statistics are a snapshot the person decided on.
  const results = await experimentResults(deps, { id: input.experimentId });
  return deps.db.$transaction(async (tx) => {
    const row = await loadExperiment(tx, caller.projectId, input.experimentId);
    if (row.status === "concluded" || row.status === "draft")
      throw new DomainError("CONFLICT", `Cannot conclude an experiment that is ${row.status}`);
    const winner = input.winnerKey === null ? null : row.variants.find((v) => v.key === input.winnerKey);
    if (winner === undefined)
      throw new DomainError("VALIDATION", `No variant '${input.winnerKey}'`, [
        { path: "winnerKey", message: "Not a variant of this experiment" },
      ]);
    const risks = decisionRisks({
      results,
      winnerKey: winner?.key ?? null,
      plannedUnitsPerArm: row.plannedUnitsPerArm,
      sequential: row.sequential,
    });
    if (risks.length && !input.acknowledgeNotSignificant)
      throw new DomainError(
        "VALIDATION",
        `The data does not back ${winner?.key} as the winner: ${risks.map((r) => r.message).join(" ")} Set acknowledgeNotSignificant to conclude anyway, or conclude with no winner (winnerKey null).`,
        [{ path: "acknowledgeNotSignificant", message: "Acknowledge that the result is not conclusive" }],
      );
    let promoted: { label: string; version: number } | null = null;
    if (input.promote) {
      if (!winner)
        throw new DomainError("VALIDATION", "Choose a winner to promote: with no winner the label stays", [
          { path: "promote", message: "Nothing to promote" },
        ]);
      if (!row.promptId || !winner.promptVersion)
        throw new DomainError("VALIDATION", "The winner has no prompt version to promote", [
          { path: "promote", message: "Nothing to promote" },
        ]);
      // Already pointing there is fine for a promotion. Checked here rather than by catching moveLabel's CONFLICT,
      // which is also how a release policy refuses the move (that refusal must reach the person).
      const current = await tx.promptLabel.findUnique({
        where: { promptId_name: { promptId: row.promptId, name: row.promoteLabel } },
        select: { versionId: true },
      });
      // Promoting moves a label, so a protected label needs `prompts:protect` and a guarded one a passing eval.
      if (current?.versionId !== winner.promptVersionId)
        await moveLabel(
          { ...deps, tx },
          {
            promptId: row.promptId,
            label: row.promoteLabel,
            version: winner.promptVersion.version,
            reason: `experiment '${row.name}' won by ${winner.key}`,
            overridePolicy: false,
          },
        );
      promoted = { label: row.promoteLabel, version: winner.promptVersion.version };
    }
    const decision: ExperimentDecision = {
      winnerKey: winner?.key ?? null,
      reason: input.reason,
      acknowledgedRisks: risks.map((r) => r.message),
      promoted,
      decidedBy: caller.actor.label,
      decidedAt: new Date().toISOString(),
    };
    const updated = await tx.experiment.update({
      where: { id: row.id },
      data: { status: "concluded", concludedAt: new Date(), stoppedAt: row.stoppedAt ?? new Date(), decision },
      include: experimentInclude,
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "experiment.conclude",
      targetType: "experiment",
      targetId: row.id,
      summary: { name: row.name, ...decision },
    });
    return toExperimentOut(updated);
  });
}
