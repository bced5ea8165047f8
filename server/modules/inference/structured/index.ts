import { DomainError } from "@/server/errors";
import type { StructuredOutputSpec, TokenConstraint } from "../constraint";
import type { ModelTokenizer } from "../tokenizer";
import { Grammar, GrammarConstraint, TriggeredConstraint } from "./grammar";
import { SchemaCompiler, type SchemaNode } from "./schema";
import { detectToolFormat, type ToolFormat } from "./tool-format";
import { tokenVocabulary } from "./vocabulary";

type ToolSpec = Extract<StructuredOutputSpec, { type: "tool_call" }>;

/**
 * The grammar a spec asks for, as schema nodes. Throws DomainError VALIDATION (naming the keyword's path) for a
 * schema it cannot enforce; the gateway calls it before anything runs. A tool call needs the model's format.
 */
export function compileSpec(spec: StructuredOutputSpec, format: ToolFormat | null = null): SchemaNode {
  if (spec.type === "json_object") {
    const compiler = new SchemaCompiler({}, false, "response_format");
    return compiler.node({ kind: "freeObject", values: compiler.any(1) });
  }
  if (spec.type === "json_schema")
    return new SchemaCompiler(spec.schema, spec.strict, "response_format.json_schema.schema").compile();
  return toolCallNode(spec, format ?? HERMES_FOR_CHECKS);
}

const HERMES_FOR_CHECKS = detectToolFormat("tools <tool_call>") as ToolFormat;

function toolCallNode(spec: ToolSpec, format: ToolFormat): SchemaNode {
  const choice = spec.choice;
  const tools = typeof choice === "object" ? spec.tools.filter((t) => t.name === choice.name) : spec.tools;
  if (tools.length === 0) {
    const name = typeof choice === "object" ? choice.name : "";
    throw new DomainError("VALIDATION", `tool_choice: no tool named '${name}' in tools`, [
      { path: "tool_choice", message: "Name one of the tools" },
    ]);
  }
  const calls = tools.map((tool) => {
    const index = spec.tools.indexOf(tool);
    const compiler = new SchemaCompiler(tool.parameters, tool.strict === true, `tools.${index}.function.parameters`);
    return compiler.node({
      kind: "object",
      props: [
        {
          key: '"name":',
          node: compiler.node({ kind: "literals", values: [JSON.stringify(tool.name)] }),
          required: true,
        },
        { key: `"${format.argumentsKey}":`, node: compiler.compile(), required: true },
      ],
    });
  });
  const helper = new SchemaCompiler({}, false, "tools");
  const call = calls.length === 1 ? calls[0] : helper.node({ kind: "anyOf", options: calls });
  const block = helper.node({ kind: "seq", parts: [format.prefix, call, format.suffix] });
  if (spec.parallel === false || format.separator === null || typeof choice === "object") return block;
  // One block, or one and then (after the separator) up to MAX_PARALLEL_CALLS - 1 more.
  let answer = block;
  for (let i = 1; i < MAX_PARALLEL_CALLS; i++) {
    answer = helper.node({
      kind: "anyOf",
      options: [block, helper.node({ kind: "seq", parts: [block, format.separator, answer] })],
    });
  }
  return answer;
}

/** Calls one constrained answer may hold (parallel_tool_calls): a small model must not loop on calls forever. */
const MAX_PARALLEL_CALLS = 4;

/** Compiled grammars per tokenizer, by spec: a repeated schema reuses its masks. */
const grammars = new WeakMap<ModelTokenizer, Map<string, Grammar>>();
const MAX_GRAMMARS_PER_MODEL = 32;

function grammarFor(
  spec: StructuredOutputSpec,
  tokenizer: ModelTokenizer,
  eosTokenIds: number[],
  format: ToolFormat | null,
): Grammar {
  let byModel = grammars.get(tokenizer);
  if (!byModel) {
    byModel = new Map();
    grammars.set(tokenizer, byModel);
  }
  const key = JSON.stringify([spec, eosTokenIds]);
  let grammar = byModel.get(key);
  if (!grammar) {
    grammar = new Grammar(compileSpec(spec, format), tokenVocabulary(tokenizer.tokenizerJson), eosTokenIds);
    if (byModel.size >= MAX_GRAMMARS_PER_MODEL) byModel.delete(byModel.keys().next().value as string);
    byModel.set(key, grammar);
  }
  return grammar;
}

/**
 * The constraint for one sequence of one model, or null when the spec needs none. json_object / json_schema: the
 * output is one compact JSON document, then EOS. tool_call: `required` or a named tool = exactly one call in the
 * model's format; `auto` = free text, constrained from the moment a call starts.
 */
export function createConstraint(
  spec: StructuredOutputSpec,
  tokenizer: ModelTokenizer,
  eosTokenIds: number[],
): TokenConstraint | null {
  if (spec.type !== "tool_call") return new GrammarConstraint(grammarFor(spec, tokenizer, eosTokenIds, null));
  const format = detectToolFormat(tokenizer.chatTemplate);
  if (!format)
    throw new DomainError("VALIDATION", "tools: this model's chat template does not take tools", [
      { path: "tools", message: "The model's chat template has no tool calling" },
    ]);
  const grammar = grammarFor(spec, tokenizer, eosTokenIds, format);
  if (spec.choice !== "auto") return new GrammarConstraint(grammar);
  const offset = format.prefix.includes(format.trigger) ? format.prefix.indexOf(format.trigger) : format.prefix.length;
  return new TriggeredConstraint(grammar, format.trigger, offset);
}
