/**
 * The output half: guards on the generated text, then postprocessing, as
 * streaming transformers. A JSON answer goes through the same code as a
 * stream (one push, then end), so both behave alike.
 */

import type { PipelineConfig } from "@/lib/routes/config";
import type { PiiPlaceholders } from "@/server/modules/guardrails/pii-placeholders";
import { type GuardrailRecord, recordAction } from "./actions";
import { type Finding, TextGuards } from "./text-guards";

/** What a push or the end releases: text to send now, and whether the answer stops here (and why). */
export interface Release {
  text: string;
  stop?: "content_filter" | "length";
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Output guards over a stream of text pieces. Pending text is held back while
 * it could still be the start of a match (the longest blocklist prefix at its
 * end; `window` characters for regexes and PII), so a match split across
 * chunks is caught whole. What is released is final: masks are replaced,
 * flags counted, and a block releases the text before the match and stops.
 * The last `window` released characters stay as context, so lookbehinds and
 * phrases that precede a value (`password: …`) still see them. Never cuts
 * between the halves of a surrogate pair.
 */
export class GuardedTextStream {
  private context = "";
  private pending = "";
  private stopped = false;

  constructor(
    private readonly guards: TextGuards,
    private readonly placeholders: PiiPlaceholders,
    private readonly actions: GuardrailRecord[],
    private readonly window: number,
  ) {}

  push(text: string): Release {
    if (this.stopped) return { text: "" };
    this.pending += text;
    return this.release(false);
  }

  end(): Release {
    if (this.stopped) return { text: "" };
    return this.release(true);
  }

  private release(final: boolean): Release {
    const offset = this.context.length;
    const pending = this.pending;
    const findings = this.guards.scan(this.context + pending).filter((f) => f.end > offset);
    let safe = final ? pending.length : pending.length - this.guards.holdback(pending, this.window);
    // A match that reaches past the safe point may still grow: hold it whole (and whatever overlaps it).
    for (let moved = true; moved; ) {
      moved = false;
      for (const f of findings)
        if (f.end - offset > safe && f.start - offset < safe) {
          safe = Math.max(0, f.start - offset);
          moved = true;
        }
    }
    // Even a piece that itself ends mid-pair (a provider split an emoji) releases only whole characters.
    if (!final && safe > 0 && isHighSurrogate(pending.charCodeAt(safe - 1))) safe--;
    let out = "";
    let at = 0;
    let stop: Release["stop"];
    for (const f of findings) {
      const start = Math.max(0, f.start - offset);
      const end = f.end - offset;
      if (end > safe) break;
      if (f.guard.action === "flag") {
        this.count(f);
        continue;
      }
      this.count(f);
      out += pending.slice(at, start);
      if (f.guard.action === "block") {
        stop = "content_filter";
        at = safe = start;
        break;
      }
      out += f.pii ? this.placeholders.for(f.pii) : f.guard.replacement;
      at = end;
    }
    if (!stop) out += pending.slice(at, safe);
    this.context = (this.context + pending.slice(0, safe)).slice(-this.window);
    this.pending = pending.slice(safe);
    if (stop) this.stopped = true;
    return stop ? { text: out, stop } : { text: out };
  }

  private count(f: Finding) {
    recordAction(this.actions, {
      stage: "output",
      rule: f.guard.rule,
      action: f.guard.action,
      count: 1,
      ...(f.pii ? { kinds: { [f.pii.kind]: 1 } } : {}),
    });
  }
}

type PostprocessConfig = NonNullable<PipelineConfig["postprocess"]>;

/**
 * Trim (leading whitespace dropped, trailing whitespace held until more text
 * follows, dropped at the end) and maxChars (counted in code points: the cut
 * never splits a character; the answer stops with `length`).
 */
export class PostprocessStream {
  private started = false;
  private heldSpace = "";
  private chars = 0;
  private stopped = false;

  constructor(private readonly config: PostprocessConfig) {}

  push(text: string): Release {
    if (this.stopped || !text) return { text: "" };
    let out = text;
    if (this.config.trimWhitespace) {
      if (!this.started) out = out.trimStart();
      if (!out) return { text: "" };
      this.started = true;
      const body = out.trimEnd();
      if (!body) {
        this.heldSpace += out;
        return { text: "" };
      }
      out = this.heldSpace + out;
      this.heldSpace = out.slice(out.trimEnd().length);
      out = out.trimEnd();
    }
    return this.limit(out);
  }

  end(): Release {
    if (this.stopped) return { text: "" };
    this.stopped = true;
    // Trailing whitespace is dropped when trimming; without trimming nothing is ever held.
    return { text: "" };
  }

  private limit(text: string): Release {
    const max = this.config.maxChars;
    if (max === undefined) return { text };
    let out = "";
    for (const ch of text) {
      if (this.chars >= max) {
        this.stopped = true;
        return { text: out, stop: "length" };
      }
      out += ch;
      this.chars++;
    }
    return { text: out };
  }
}

export interface OutputPlan {
  guards: TextGuards | null;
  window: number;
  postprocess: PostprocessConfig | null;
}

/** Null when the config has no output step. */
export function planOutput(config: PipelineConfig): OutputPlan | null {
  const guards = config.output ? new TextGuards(config.output) : null;
  const post = config.postprocess;
  const postprocess = post && (post.trimWhitespace || post.maxChars !== undefined) ? post : null;
  if ((!guards || guards.empty) && !postprocess) return null;
  return { guards: guards && !guards.empty ? guards : null, window: config.output?.holdbackChars ?? 64, postprocess };
}

/** Guards, then postprocessing, over one answer. */
export class OutputProcessor {
  private readonly guard: GuardedTextStream | null;
  private readonly post: PostprocessStream | null;
  private stopped = false;

  constructor(plan: OutputPlan, placeholders: PiiPlaceholders, actions: GuardrailRecord[]) {
    this.guard = plan.guards ? new GuardedTextStream(plan.guards, placeholders, actions, plan.window) : null;
    this.post = plan.postprocess ? new PostprocessStream(plan.postprocess) : null;
  }

  push(text: string): Release {
    if (this.stopped) return { text: "" };
    return this.through(this.guard ? this.guard.push(text) : { text });
  }

  end(): Release {
    if (this.stopped) return { text: "" };
    const last = this.through(this.guard ? this.guard.end() : { text: "" });
    this.stopped = true;
    return last;
  }

  private through(guarded: Release): Release {
    if (!this.post) {
      if (guarded.stop) this.stopped = true;
      return guarded;
    }
    const post = this.post.push(guarded.text);
    if (post.stop) {
      this.stopped = true;
      return post;
    }
    if (guarded.stop) {
      this.stopped = true;
      this.post.end();
      return { text: post.text, stop: guarded.stop };
    }
    return post;
  }
}
