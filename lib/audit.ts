/**
 * How the console names the kinds of audit entries. The kinds themselves come from the log (`audit.facets`: the
 * actions the server has recorded in the project), so a new kind shows up in the filters without a change here;
 * this only gives known ones a readable name.
 */
const RESOURCE_LABELS: Record<string, string> = {
  admin: "Administration",
  apiKey: "API keys",
  artifact: "Artifacts",
  dataset: "Datasets",
  experiment: "Experiments",
  feedback: "Feedback",
  fineTune: "Fine-tuning",
  guardrail: "Guardrails",
  member: "Members",
  model: "Models",
  project: "Project",
  prompt: "Prompts",
  route: "Routes",
};

/** The resource an action is about: what comes before its first dot (`model.alias.move` → `model`). */
const resourceOf = (action: string) => action.split(".")[0];

const resourceLabel = (resource: string) => RESOURCE_LABELS[resource] ?? resource;

/** The recorded actions grouped by resource, resources sorted by their label. */
export function groupActions(actions: readonly string[]): { resource: string; label: string; actions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const action of actions) {
    const resource = resourceOf(action);
    groups.set(resource, [...(groups.get(resource) ?? []), action]);
  }
  return [...groups]
    .map(([resource, list]) => ({ resource, label: resourceLabel(resource), actions: list.sort() }))
    .sort((a, b) => a.label.localeCompare(b.label));
}
