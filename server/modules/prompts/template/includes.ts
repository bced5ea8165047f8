import { bodies, type Node } from "./ast";
import { type IncludeSite, isIncludeMarker, type Locations, type ParsedSource, parseSource } from "./parse";
import { ProblemError, problemAt, problemsError, type TemplateProblem } from "./problems";
import { type PromptInput, toContent, toSources } from "./prompt";
import type { IncludeRef } from "./refs";
import { positionAt, type Source, type SourcePosition } from "./source";

/** A snippet the resolver found: `key` identifies the exact version (for cycle detection). */
export interface ResolvedSnippet {
  /** Stable identity of the resolved version, e.g. `shared/tone@4` or a version id. */
  key: string;
  /** Its text template (only text prompts can be included). */
  template: string;
}

/** Async lookup of one reference, e.g. against the registry; null when it does not exist. */
export type IncludeResolver = (ref: IncludeRef) => Promise<ResolvedSnippet | null>;

/**
 * Snippets by canonical ref (`IncludeRef.ref`), as `resolveIncludes` returns them: plain data, so it
 * can be cached next to the prompt. null records a ref that was looked up and does not exist.
 */
export type ResolvedIncludes = Record<string, ResolvedSnippet | null>;

/** How a synchronous render finds snippets: the record from `resolveIncludes`, or a function. */
export type IncludeLookup = ResolvedIncludes | ((ref: IncludeRef) => ResolvedSnippet | null | undefined);

const DEFAULT_MAX_INCLUDE_DEPTH = 10;
const MAX_SNIPPETS = 200;

/** One include tag found in a prompt (or in a snippet it includes). */
export interface IncludeUse {
  ref: IncludeRef;
  ignoreMissing: boolean;
  position: SourcePosition;
  /** resolved: inlined; missing: looked up and absent; unresolved: no lookup was given for it. */
  status: "resolved" | "missing" | "unresolved";
  key?: string;
}

interface ChainLink {
  label: string;
  key: string | null;
}

const chainText = (chain: ChainLink[]) => chain.map((link) => link.label).join(" → ");

function cycleProblem(site: IncludeSite, parent: Source, chain: ChainLink[], snippet: ResolvedSnippet) {
  const start = chain.findIndex((link) => link.key === snippet.key);
  const loop = [...chain.slice(start), { label: `"${site.ref.ref}"`, key: snippet.key }];
  return problemAt("include", parent, site.offset, `Include cycle: ${chainText(loop)}`);
}

function depthProblem(site: IncludeSite, parent: Source, chain: ChainLink[], maxDepth: number) {
  const path = chainText([...chain, { label: `"${site.ref.ref}"`, key: null }]);
  return problemAt("include", parent, site.offset, `Includes are nested more than ${maxDepth} deep: ${path}`);
}

function missingProblem(site: IncludeSite, parent: Source) {
  const hint = site.ref.label
    ? ` (no prompt "${site.ref.name}" with label "${site.ref.label}")`
    : site.ref.version
      ? ` (no version ${site.ref.version} of "${site.ref.name}")`
      : ` (no prompt named "${site.ref.name}")`;
  return problemAt("include", parent, site.offset, `Included prompt "${site.ref.ref}" was not found${hint}`);
}

function snippetSource(parent: Source, site: IncludeSite, snippet: ResolvedSnippet): Source {
  return {
    text: snippet.template,
    path: parent.path,
    message: parent.message,
    include: [...(parent.include ?? []), site.ref.ref],
    orderPrefix: [...parent.orderPrefix, site.offset],
  };
}

function rootChain(source: Source, rootKey: string | undefined): ChainLink[] {
  return [{ label: source.path, key: rootKey ?? null }];
}

/** The include refs a prompt's templates name directly (not those of the snippets). Throws on syntax errors. */
export function collectIncludes(
  prompt: PromptInput,
): { ref: IncludeRef; ignoreMissing: boolean; position: SourcePosition }[] {
  const locations: Locations = new WeakMap();
  return toSources(toContent(prompt)).flatMap((source) => {
    const parsed = parseOrThrow(source, locations);
    return parsed.includes.map((site) => ({
      ref: site.ref,
      ignoreMissing: site.ignoreMissing,
      position: positionAt(source, site.offset),
    }));
  });
}

function parseOrThrow(source: Source, locations: Locations): ParsedSource {
  try {
    return parseSource(source, locations);
  } catch (error) {
    if (error instanceof ProblemError) throw problemsError([error.problem]);
    throw error;
  }
}

/**
 * Fetches every snippet a prompt includes, recursively, through `resolver` (each distinct ref once,
 * siblings in parallel). Refuses include cycles (naming the chain), nesting deeper than `maxDepth`,
 * missing snippets (unless the tag says `ignore missing`) and snippets with syntax errors, as a
 * VALIDATION DomainError. Pass `rootKey` (the key the prompt itself would resolve to) to also catch a
 * snippet that includes the prompt being rendered.
 */
export async function resolveIncludes(
  prompt: PromptInput,
  resolver: IncludeResolver,
  options: { maxDepth?: number; rootKey?: string } = {},
): Promise<ResolvedIncludes> {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_INCLUDE_DEPTH;
  const resolved: ResolvedIncludes = {};
  const pending = new Map<string, Promise<ResolvedSnippet | null>>();
  const locations: Locations = new WeakMap();
  const fetch = (ref: IncludeRef) => {
    let promise = pending.get(ref.ref);
    if (!promise) {
      if (pending.size >= MAX_SNIPPETS) {
        throw problemsError([
          { kind: "include", path: "template", message: `More than ${MAX_SNIPPETS} distinct includes` },
        ]);
      }
      promise = resolver(ref).then((snippet) => {
        resolved[ref.ref] = snippet ?? null;
        return snippet ?? null;
      });
      pending.set(ref.ref, promise);
    }
    return promise;
  };

  const visit = async (parsed: ParsedSource, chain: ChainLink[]): Promise<void> => {
    const snippets = await Promise.all(parsed.includes.map((site) => fetch(site.ref)));
    for (const [i, site] of parsed.includes.entries()) {
      const snippet = snippets[i];
      if (!snippet) {
        if (site.ignoreMissing) continue;
        throw problemsError([missingProblem(site, parsed.source)]);
      }
      if (chain.some((link) => link.key === snippet.key)) {
        throw problemsError([cycleProblem(site, parsed.source, chain, snippet)]);
      }
      if (chain.length > maxDepth) throw problemsError([depthProblem(site, parsed.source, chain, maxDepth)]);
      const child = parseOrThrow(snippetSource(parsed.source, site, snippet), locations);
      await visit(child, [...chain, { label: `"${site.ref.ref}"`, key: snippet.key }]);
    }
  };

  const roots = toSources(toContent(prompt)).map((source) => parseOrThrow(source, locations));
  for (const root of roots) await visit(root, rootChain(root.source, options.rootKey));
  return resolved;
}

function lookupFn(lookup: IncludeLookup | undefined): (ref: IncludeRef) => ResolvedSnippet | null | undefined {
  if (!lookup) return () => undefined;
  if (typeof lookup === "function") return lookup;
  return (ref) => (Object.hasOwn(lookup, ref.ref) ? lookup[ref.ref] : undefined);
}

/**
 * Replaces the include placeholders in a parsed template with the snippets' parsed statements,
 * recursively (synchronous: the snippets were fetched beforehand). Problems are collected, not thrown;
 * an include that cannot be inlined renders nothing. Includes the lookup does not know are reported
 * apart (`unresolved`): an error for a render, but not for detecting variables before resolving.
 */
export function expandIncludes(
  root: ParsedSource,
  options: { lookup?: IncludeLookup; maxDepth?: number; rootKey?: string; locations: Locations },
): { problems: TemplateProblem[]; unresolved: TemplateProblem[]; uses: IncludeUse[] } {
  const lookup = lookupFn(options.lookup);
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_INCLUDE_DEPTH;
  const problems: TemplateProblem[] = [];
  const unresolved: TemplateProblem[] = [];
  const uses: IncludeUse[] = [];

  const expandTree = (parsed: ParsedSource, chain: ChainLink[]) => {
    const sites = new Map(parsed.includes.map((site) => [site.marker, site]));
    const expandList = (list: Node[]) => {
      for (let i = 0; i < list.length; i++) {
        const node = list[i];
        if (!isIncludeMarker(node)) {
          for (const body of bodies(node)) expandList(body);
          continue;
        }
        const site = sites.get(node.value);
        if (!site) continue;
        const inlined = inline(parsed, site, chain);
        list.splice(i, 1, ...inlined);
        i += inlined.length - 1;
      }
    };
    expandList(parsed.program.body);
  };

  const inline = (parsed: ParsedSource, site: IncludeSite, chain: ChainLink[]): Node[] => {
    const use = (status: IncludeUse["status"], key?: string) =>
      uses.push({
        ref: site.ref,
        ignoreMissing: site.ignoreMissing,
        position: positionAt(parsed.source, site.offset),
        status,
        ...(key ? { key } : {}),
      });
    const snippet = lookup(site.ref);
    if (snippet === undefined) {
      use("unresolved");
      unresolved.push(
        problemAt(
          "include",
          parsed.source,
          site.offset,
          `Include "${site.ref.ref}" was not resolved (resolve includes before rendering)`,
        ),
      );
      return [];
    }
    if (snippet === null) {
      use("missing");
      if (!site.ignoreMissing) problems.push(missingProblem(site, parsed.source));
      return [];
    }
    use("resolved", snippet.key);
    if (chain.some((link) => link.key === snippet.key)) {
      problems.push(cycleProblem(site, parsed.source, chain, snippet));
      return [];
    }
    if (chain.length > maxDepth) {
      problems.push(depthProblem(site, parsed.source, chain, maxDepth));
      return [];
    }
    let child: ParsedSource;
    try {
      child = parseSource(snippetSource(parsed.source, site, snippet), options.locations);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      problems.push(error.problem);
      return [];
    }
    expandTree(child, [...chain, { label: `"${site.ref.ref}"`, key: snippet.key }]);
    return child.program.body;
  };

  expandTree(root, rootChain(root.source, options.rootKey));
  return { problems, unresolved, uses };
}
