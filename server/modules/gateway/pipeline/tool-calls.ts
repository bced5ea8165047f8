/**
 * Output guards on the first choice's tool calls (a pass-through upstream's): the arguments of a whole answer's
 * calls, and a stream's argument fragments, accumulated per tool-call index.
 *
 * Streams: with guards that only block or flag, each call's fragments go through a `GuardedTextStream` of their
 * own (the same holdback as text, so a value split across fragments is caught whole) and a block ends the answer
 * after the fragments before the match. A guard that masks needs the whole value to write it back as valid JSON
 * (`guardJson`), so then each call's arguments are held until the answer ends and sent in one fragment.
 */
import type { PiiPlaceholders } from "@/server/modules/guardrails/pii-placeholders";
import { type GuardrailRecord, recordAction } from "./actions";
import { guardJson } from "./guard-text";
import { GuardedTextStream } from "./output";
import type { Finding, TextGuards } from "./text-guards";

type Json = Record<string, unknown>;
type Fn = { name?: unknown; arguments?: unknown } & Json;
type CallDelta = { index?: number; function?: Fn } & Json;
type Choice = { index?: number; delta?: Json; message?: Json; finish_reason?: unknown } & Json;

/** The legacy `function_call`'s key among the tool-call indexes. */
const LEGACY = -1;

export interface GuardedChunk {
  /** What to send (null: nothing). */
  chunk: Json | null;
  /** A block: the answer ends here with `content_filter`. */
  stop: boolean;
}

export class ToolCallGuard {
  private readonly streams = new Map<number, GuardedTextStream>();
  private readonly held = new Map<number, string>();
  private readonly holdWhole: boolean;
  private head: Json | null = null;
  /** The tool-call index the stream is on. */
  private current: number | null = null;
  private readonly seen = (f: Finding) =>
    recordAction(this.actions, {
      stage: "output",
      rule: f.guard.rule,
      action: f.guard.action,
      count: 1,
      ...(f.pii ? { kinds: { [f.pii.kind]: 1 } } : {}),
    });

  constructor(
    private readonly guards: TextGuards,
    private readonly placeholders: PiiPlaceholders,
    private readonly actions: GuardrailRecord[],
    private readonly window: number,
  ) {
    this.holdWhole = guards.guards.some((g) => g.action === "mask");
  }

  /**
   * A streamed chunk with its first choice's argument fragments replaced by what the guards release (its text,
   * when `withoutText`, left to the text guards). Its finish reason is dropped: held fragments still follow, and
   * the answer's last chunk says how it finished.
   */
  chunk(chunk: Json, withoutText: boolean): GuardedChunk {
    this.head = chunk;
    const choices = chunk.choices as Choice[] | undefined;
    const at = choices ? choices.findIndex((c) => (c.index ?? 0) === 0) : -1;
    if (!choices || at < 0 || !choices[at].delta) return { chunk, stop: false };
    const choice = choices[at];
    const delta: Json = Object.assign({}, choice.delta);
    if (withoutText) delta.content = null;
    let stop = false;
    const calls = delta.tool_calls as CallDelta[] | undefined;
    if (Array.isArray(calls)) {
      const out: CallDelta[] = [];
      for (const call of calls) {
        // A new call means the one before is complete (clients parse it then): what it holds goes first.
        const index = call.index ?? 0;
        if (index !== this.current) {
          const before = this.finish((open) => open !== index);
          this.current = index;
          out.push(...before.calls);
          if (before.stop) {
            stop = true;
            break;
          }
        }
        const released = this.fragment(index, call.function?.arguments);
        out.push(
          released === null ? call : Object.assign({}, call, { function: withArgs(call.function, released.text) }),
        );
        if (released?.stop) {
          stop = true;
          break;
        }
      }
      delta.tool_calls = out;
    }
    const legacy = delta.function_call as Fn | undefined;
    if (!stop && legacy && typeof legacy === "object") {
      const released = this.fragment(LEGACY, legacy.arguments);
      if (released) {
        delta.function_call = withArgs(legacy, released.text);
        stop = released.stop;
      }
    }
    const copy: Choice = Object.assign({}, choice, { delta, finish_reason: null });
    const sent = Object.assign({}, chunk, { choices: choices.map((c, i) => (i === at ? copy : c)) });
    return { chunk: sent, stop };
  }

  /** At the end of a stream: what each call still holds, as one more chunk (null: nothing held). */
  flush(): GuardedChunk {
    const { calls, legacy, stop } = this.finish(() => true);
    if (calls.length === 0 && legacy === null) return { chunk: null, stop };
    const delta: Json = calls.length ? { tool_calls: calls } : {};
    if (legacy !== null) delta.function_call = { arguments: legacy };
    const head = this.head ?? {};
    const chunk: Json = { id: head.id, object: head.object, created: head.created, model: head.model };
    chunk.choices = [{ index: 0, delta, finish_reason: null }];
    return { chunk, stop };
  }

  /** Ends the calls `which` picks, in index order: the argument deltas left to send, and whether one blocked. */
  private finish(which: (index: number) => boolean): { calls: CallDelta[]; legacy: string | null; stop: boolean } {
    const calls: CallDelta[] = [];
    let legacy: string | null = null;
    let stop = false;
    const open = this.holdWhole ? [...this.held.keys()] : [...this.streams.keys()];
    for (const index of open.filter(which).sort((a, b) => a - b)) {
      let text: string;
      if (this.holdWhole) {
        const guarded = guardJson(this.guards, this.held.get(index) ?? "", this.placeholders, this.seen);
        this.held.delete(index);
        stop = guarded.block !== null;
        text = guarded.block ? "" : guarded.text;
      } else {
        const release = this.streams.get(index)!.end();
        this.streams.delete(index);
        stop = release.stop !== undefined;
        text = release.text;
      }
      if (text && index === LEGACY) legacy = text;
      else if (text) calls.push({ index, function: { arguments: text } });
      if (stop) break;
    }
    return { calls, legacy, stop };
  }

  /**
   * A whole answer's first choice: each call's arguments guarded (masks written back as valid JSON). A block
   * drops that call and the ones after it and finishes the choice with `content_filter`; returns whether it did.
   */
  whole(response: Json): boolean {
    const choice = (response.choices as Choice[] | undefined)?.find((c) => (c.index ?? 0) === 0);
    const message = choice?.message;
    if (!choice || !message) return false;
    const calls = message.tool_calls as CallDelta[] | undefined;
    if (Array.isArray(calls))
      for (let k = 0; k < calls.length; k++) {
        const fn = calls[k]?.function;
        if (typeof fn?.arguments !== "string") continue;
        const guarded = guardJson(this.guards, fn.arguments, this.placeholders, this.seen);
        if (guarded.block) {
          if (k === 0) delete message.tool_calls;
          else message.tool_calls = calls.slice(0, k);
          choice.finish_reason = "content_filter";
          return true;
        }
        fn.arguments = guarded.text;
      }
    const legacy = message.function_call as Fn | undefined;
    if (legacy && typeof legacy.arguments === "string") {
      const guarded = guardJson(this.guards, legacy.arguments, this.placeholders, this.seen);
      if (guarded.block) {
        delete message.function_call;
        choice.finish_reason = "content_filter";
        return true;
      }
      legacy.arguments = guarded.text;
    }
    return false;
  }

  /** One fragment through its call's guard: the text to send now, or null when the delta has no arguments. */
  private fragment(index: number, fragment: unknown): { text: string; stop: boolean } | null {
    if (typeof fragment !== "string") return null;
    if (this.holdWhole) {
      this.held.set(index, (this.held.get(index) ?? "") + fragment);
      return { text: "", stop: false };
    }
    let stream = this.streams.get(index);
    if (!stream) {
      stream = new GuardedTextStream(this.guards, this.placeholders, this.actions, this.window);
      this.streams.set(index, stream);
    }
    const release = stream.push(fragment);
    return { text: release.text, stop: release.stop !== undefined };
  }
}

/** The chunk without its first choice's text (sent on its own by the text guards), for routes without output guards. */
export function withoutText(chunk: Json): Json {
  const choices = chunk.choices as Choice[] | undefined;
  if (!choices) return chunk;
  const strip = (c: Choice) =>
    (c.index ?? 0) === 0 && c.delta
      ? Object.assign({}, c, { delta: Object.assign({}, c.delta, { content: null }) })
      : c;
  return Object.assign({}, chunk, { choices: choices.map(strip) });
}

const withArgs = (fn: Fn | undefined, text: string): Fn => Object.assign({}, fn, { arguments: text });
