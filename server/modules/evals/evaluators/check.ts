// Checks of an evaluator definition that need the server, each a 400 naming its field: the JSON Schema compiles,
// the judge's rubric parses and uses only the variables it is given, the models exist, the HTTP evaluator's URL
// is one upstream calls may reach.
import type { EvaluatorConfig, EvaluatorType } from "@/lib/evals/evaluators";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { resolveModelRef } from "@/server/modules/models/service";
import { runRenderTask } from "@/server/modules/prompts/rendering/pool";
import { endpointRefusal } from "@/server/modules/providers/address-policy";
import { upstreamAllowList } from "@/server/modules/providers/config";
import { compileSchema } from "./json";

/** What a judge's rubric may use. */
const RUBRIC_VARIABLES = ["input", "output", "expected", "messages", "variables", "metadata"];

const invalid = (path: string, message: string) =>
  new DomainError("VALIDATION", `${path}: ${message}`, [{ path, message }]);

async function checkModel(db: Db, projectId: string, ref: string) {
  try {
    await resolveModelRef({ db }, projectId, ref);
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== "NOT_FOUND") throw error;
    // A gateway route answers to its own name too.
    const route = await db.gatewayRoute.findFirst({ where: { projectId, name: ref }, select: { id: true } });
    if (!route) throw invalid("config.model", `${error.message} (name a registered model or route)`);
  }
}

async function checkRubric(projectId: string, rubric: string) {
  let variables: { name: string }[];
  try {
    const analyzed = await runRenderTask(projectId, { kind: "analyze", template: rubric, includes: {} });
    variables = analyzed.kind === "analyze" ? analyzed.variables : [];
  } catch (error) {
    if (error instanceof DomainError && error.code !== "INTERNAL")
      throw invalid("config.rubric", error.issues[0]?.message ?? error.message);
    throw error;
  }
  const unknown = variables.map((v) => v.name).filter((name) => !RUBRIC_VARIABLES.includes(name));
  if (unknown.length)
    throw invalid(
      "config.rubric",
      `unknown variable ${unknown.map((n) => `'${n}'`).join(", ")} (a rubric can use ${RUBRIC_VARIABLES.join(", ")})`,
    );
}

/** Throws VALIDATION naming the field when `config` (already parsed by its type's schema) cannot work. */
export async function checkDefinition(db: Db, projectId: string, type: EvaluatorType, config: Record<string, unknown>) {
  switch (type) {
    case "json_schema":
      try {
        compileSchema((config as EvaluatorConfig<"json_schema">).schema);
      } catch (error) {
        throw invalid("config.schema", (error as Error).message);
      }
      return;
    case "embedding_similarity":
      return checkModel(db, projectId, (config as EvaluatorConfig<"embedding_similarity">).model);
    case "llm_judge": {
      const judge = config as EvaluatorConfig<"llm_judge">;
      await checkRubric(projectId, judge.rubric);
      return checkModel(db, projectId, judge.model);
    }
    case "http": {
      const why = endpointRefusal((config as EvaluatorConfig<"http">).url, upstreamAllowList());
      if (why) throw invalid("config.url", why);
      return;
    }
    default:
      return;
  }
}
