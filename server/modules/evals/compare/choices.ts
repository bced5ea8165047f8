import type { RunChoice } from "@/lib/evals/compare";
import type { ProjectDeps } from "@/server/modules/deps";

/** The project's newest runs with their targets: what the compare page offers to pick from. */
export async function listRunChoices(deps: ProjectDeps, { limit }: { limit: number }): Promise<RunChoice[]> {
  const runs = await deps.db.evalRun.findMany({
    where: { projectId: deps.caller.projectId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: {
      id: true,
      name: true,
      status: true,
      createdAt: true,
      targets: { select: { position: true, label: true }, orderBy: { position: "asc" } },
    },
  });
  return runs;
}
