import type { Db } from "@/server/db";

/** The console's detail pages, by the kind of item in their URL. */
export type ProjectResource =
  | "model"
  | "prompt"
  | "experiment"
  | "dataset"
  | "route"
  | "schedule"
  | "eval_run"
  | "rollout"
  | "workflow"
  | "workflow_run";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether the item a detail page's URL names exists in the project: the page answers a real 404 ("not found",
 * a way back) instead of a failed query's "Something went wrong / Try again". A malformed id is simply absent.
 */
export async function resourceExists(
  deps: { db: Db },
  input: { projectId: string; kind: ProjectResource; id: string },
): Promise<boolean> {
  const { projectId, id } = input;
  if (!UUID.test(id) || !UUID.test(projectId)) return false;
  const where = { id, projectId };
  const select = { id: true };
  switch (input.kind) {
    case "model":
      return (await deps.db.model.findFirst({ where, select })) !== null;
    case "prompt":
      return (await deps.db.prompt.findFirst({ where, select })) !== null;
    case "experiment":
      return (await deps.db.experiment.findFirst({ where, select })) !== null;
    case "dataset":
      return (await deps.db.dataset.findFirst({ where, select })) !== null;
    case "route":
      return (await deps.db.gatewayRoute.findFirst({ where, select })) !== null;
    case "schedule":
      return (await deps.db.schedule.findFirst({ where, select })) !== null;
    case "eval_run":
      return (await deps.db.evalRun.findFirst({ where, select })) !== null;
    case "rollout":
      return (await deps.db.rollout.findFirst({ where, select })) !== null;
    case "workflow":
      return (await deps.db.workflow.findFirst({ where, select })) !== null;
    case "workflow_run":
      return (await deps.db.workflowRun.findFirst({ where, select })) !== null;
  }
}
