/**
 * The tool calls of an answer, for the log: every choice's tool names (in order, each once) for `tool_names`, and
 * the first choice's calls in full (`{ id, name, arguments }`) for the logged response body, which keeps the first
 * choice's text too. Legacy `function_call` answers count as one call without an id.
 */
export interface LoggedToolCall {
  id: string | null;
  name: string;
  arguments: string;
}

export interface AnswerToolCalls {
  names: string[];
  calls: LoggedToolCall[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;
const str = (value: unknown) => (typeof value === "string" ? value : null);

function addName(names: string[], name: string | null) {
  if (name && !names.includes(name)) names.push(name);
}

/** From a whole `chat.completion`; null when no choice called a tool. */
export function toolCallsOfAnswer(response: Json): AnswerToolCalls | null {
  const choices = response.choices;
  if (!Array.isArray(choices)) return null;
  let found: AnswerToolCalls | null = null;
  for (let i = 0; i < choices.length; i++) {
    const choice = choices[i];
    const message = isObject(choice) ? choice.message : null;
    if (!isObject(message)) continue;
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    const legacy = isObject(message.function_call) ? [{ function: message.function_call }] : [];
    if (calls.length === 0 && legacy.length === 0) continue;
    found ??= { names: [], calls: [] };
    const first = ((choice as Json).index ?? i) === 0;
    for (const call of [...calls, ...legacy]) {
      if (!isObject(call)) continue;
      const fn = isObject(call.function) ? call.function : {};
      const name = str(fn.name);
      addName(found.names, name);
      if (first) found.calls.push({ id: str(call.id), name: name ?? "", arguments: str(fn.arguments) ?? "" });
    }
  }
  return found;
}

/**
 * Reassembles tool calls from a stream's deltas (`choices[].delta.tool_calls[]`, keyed by `index`): the id and
 * name come with a call's first delta, its arguments in fragments. Fed only chunks that carry tool-call deltas.
 */
export class StreamedToolCalls {
  readonly names: string[] = [];
  /** The first choice's calls by their `index` (a legacy `function_call` is -1). */
  private readonly byIndex = new Map<number, LoggedToolCall>();

  add(chunk: Json): void {
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      const delta = isObject(choice) ? choice.delta : null;
      if (!isObject(delta)) continue;
      const first = ((choice as Json).index ?? 0) === 0;
      if (Array.isArray(delta.tool_calls))
        for (const call of delta.tool_calls)
          if (isObject(call)) this.take(typeof call.index === "number" ? call.index : 0, call, first);
      if (isObject(delta.function_call)) this.take(-1, { function: delta.function_call }, first);
    }
  }

  private take(index: number, call: Json, first: boolean) {
    const fn = isObject(call.function) ? call.function : {};
    const name = str(fn.name);
    addName(this.names, name);
    if (!first) return;
    let logged = this.byIndex.get(index);
    if (!logged) {
      logged = { id: null, name: "", arguments: "" };
      this.byIndex.set(index, logged);
    }
    logged.id ??= str(call.id);
    // Some servers repeat the name on every delta: it is the same name, not a fragment.
    if (name && !logged.name) logged.name = name;
    const fragment = str(fn.arguments);
    if (fragment) logged.arguments += fragment;
  }

  get calls(): LoggedToolCall[] {
    return [...this.byIndex.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  }
}
