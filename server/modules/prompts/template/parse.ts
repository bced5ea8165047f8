import { parse as parseTokens } from "@huggingface/jinja";
import { children, type IdentifierNode, type Node, type ProgramNode } from "./ast";
import { lex, TemplateSyntaxError, type Token } from "./lexer";
import { ProblemError, problemAt } from "./problems";
import { type IncludeRef, parseIncludeRef } from "./refs";
import { lineColumn, type Source } from "./source";

/** Where an AST node came from: only identifiers (variables, filters, tests, names) get one. */
interface NodeLocation {
  source: Source;
  offset: number;
}
export type Locations = WeakMap<object, NodeLocation>;

/** One `{% include %}` tag. */
export interface IncludeSite {
  ref: IncludeRef;
  ignoreMissing: boolean;
  offset: number;
  /** The placeholder left in the AST where the snippet goes. */
  marker: string;
}

export interface ParsedSource {
  source: Source;
  program: ProgramNode;
  includes: IncludeSite[];
}

const MARKER_PREFIX = "\u0000include:";
const ENCODING = "\u0000";
const ENCODED_SUFFIX = new RegExp(`${ENCODING}[0-9]+`, "g");

/** Words the library's parser recognises by value inside expressions; everything else can be a name. */
const EXPRESSION_KEYWORDS = new Set(["in", "if", "else", "or", "and", "not", "is"]);

const BLOCK_ENDS: Record<string, string> = {
  for: "endfor",
  if: "endif",
  macro: "endmacro",
  call: "endcall",
  filter: "endfilter",
  set: "endset",
};
const CLOSERS: Record<string, string> = Object.fromEntries(Object.entries(BLOCK_ENDS).map(([k, v]) => [v, k]));

/**
 * Parses one template string into the library's AST, with:
 *  - positions: identifiers carry `name\0<offset>` through the parser (the only data it copies from
 *    tokens into nodes), which is decoded right after parsing into a node→offset map;
 *  - includes: the library has no `{% include %}` (it throws "Unknown statement type: include"), so
 *    each include tag is swapped, at the token level, for a comment placeholder that `includes.ts`
 *    later replaces with the snippet's own parsed statements. Splicing ASTs instead of pasting text
 *    keeps every error position pointing into the template that contains it, and lets a snippet see
 *    the includer's variables, loop variables included;
 *  - better syntax errors: unbalanced tags and blocks are found before the parser runs, and parser
 *    errors are placed at the last token the parser looked at.
 * Throws ProblemError (kind "syntax") on the first syntax error.
 */
export function parseSource(source: Source, locations: Locations): ParsedSource {
  let lexed: ReturnType<typeof lex>;
  try {
    lexed = lex(source.text);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) throw syntaxProblem(source, error.offset, error.message);
    throw error;
  }
  const tokens = lexed.tokens.map((t) => ({ ...t }));
  const offsets = [...lexed.offsets];
  checkTags(source, tokens, offsets);
  const includes = replaceIncludes(source, tokens, offsets);
  encodeIdentifiers(tokens, offsets);

  let last = -1;
  const watched = new Proxy(tokens, {
    get(target, property, receiver) {
      if (typeof property === "string" && /^[0-9]+$/.test(property)) last = Number(property);
      return Reflect.get(target, property, receiver);
    },
  });
  let program: ProgramNode;
  try {
    program = parseTokens(watched) as unknown as ProgramNode;
  } catch (error) {
    const atEnd = last >= tokens.length || last < 0;
    const offset = atEnd ? source.text.replace(/\n$/, "").length : offsets[last];
    const found = atEnd ? "the end of the template" : describeToken(tokens[last]);
    throw syntaxProblem(source, offset, parserMessage(error, found, atEnd));
  }
  decode(program, (node, offset) => locations.set(node, { source, offset }));
  return { source, program, includes };
}

export function isIncludeMarker(node: Node): node is { type: "Comment"; value: string } {
  return node.type === "Comment" && node.value.startsWith(MARKER_PREFIX);
}

function syntaxProblem(source: Source, offset: number, message: string): ProblemError {
  return new ProblemError(problemAt("syntax", source, offset, message.replace(ENCODED_SUFFIX, "")));
}

function describeToken(token: Token): string {
  const value = token.value.split(ENCODING)[0];
  if (token.type === "Text") return "text";
  if (token.type === "StringLiteral") return `the string "${value}"`;
  return `"${value}"`;
}

const STATEMENTS = "if, for, set, macro, call, filter, include, break, continue";

const PARSER_PHRASES: [RegExp, string][] = [
  [/^Expected closing expression token/, 'Expected "}}"'],
  [/^Expected closing statement token/, 'Expected "%}"'],
  [/^Expected %} token/, 'Expected "%}"'],
  [/^Expected \{% token/, 'Expected "{%"'],
  [/^Expected closing parenthesis/, 'Expected ")"'],
  [/^Expected closing square bracket/, 'Expected "]"'],
  [/^Expected colon between key and value in object literal/, 'Expected ":" between key and value'],
];

function parserMessage(error: unknown, found: string, atEnd: boolean): string {
  const raw = error instanceof Error ? error.message : String(error);
  // Reading past the last token surfaces as a TypeError inside the library's parser.
  if (error instanceof TypeError || atEnd) return `Unexpected end of template while parsing (${found})`;
  const cleaned = raw.replace(/^Parser Error: /, "").replace(/\. \w+ !== \w+\.$/, "");
  if (/^Unexpected token( type)?: \w+$/.test(cleaned)) return `Unexpected ${found}`;
  const statement = /^Unknown statement type: (\w+)$/.exec(cleaned);
  if (statement) return `Unknown statement "${statement[1]}" (use ${STATEMENTS})`;
  if (/^Unknown statement, got \w+$/.test(cleaned))
    return `Expected a statement (${STATEMENTS}) after "{%", found ${found}`;
  for (const [pattern, phrase] of PARSER_PHRASES) {
    if (pattern.test(cleaned)) return `${phrase}, found ${found}`;
  }
  return `${cleaned.replace(/\.$/, "")} (at ${found})`;
}

/** Tags must close with their own closer, and blocks must nest: better messages than the parser's. */
function checkTags(source: Source, tokens: Token[], offsets: number[]): void {
  const fail = (offset: number, message: string): never => {
    throw syntaxProblem(source, offset, message);
  };
  const describeAt = (offset: number) => {
    const { line, column } = lineColumn(source, offset);
    return `line ${line}, column ${column}`;
  };
  const stack: { name: string; offset: number }[] = [];
  let open: { token: Token; offset: number } | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.type === "OpenStatement" || token.type === "OpenExpression") {
      if (open) {
        const closer = open.token.type === "OpenExpression" ? "}}" : "%}";
        fail(open.offset, `"${open.token.value}" is not closed: expected "${closer}" before the next "${token.value}"`);
      }
      open = { token, offset: offsets[i] };
      if (token.type !== "OpenStatement") continue;
      const next = tokens[i + 1];
      if (next?.type !== "Identifier") continue;
      const name = next.value;
      if (name in BLOCK_ENDS) {
        if (name === "set" && !isBlockSet(tokens, i + 2)) continue;
        stack.push({ name, offset: offsets[i] });
      } else if (name in CLOSERS) {
        const top = stack.pop();
        const opener = CLOSERS[name];
        if (!top) fail(offsets[i], `"{% ${name} %}" has no matching "{% ${opener} %}"`);
        else if (top.name !== opener) {
          fail(
            offsets[i],
            `"{% ${name} %}" cannot close the "{% ${top.name} %}" opened at ${describeAt(top.offset)}: expected "{% ${BLOCK_ENDS[top.name]} %}"`,
          );
        }
      } else if (name === "elif" || name === "else") {
        const top = stack.at(-1);
        const ok = top && (top.name === "if" || (name === "else" && top.name === "for"));
        if (!ok)
          fail(
            offsets[i],
            `"{% ${name} %}" is only allowed inside "{% if %}"${name === "else" ? ' or "{% for %}"' : ""}`,
          );
      }
    } else if (token.type === "CloseStatement" || token.type === "CloseExpression") {
      const expected = open?.token.type === "OpenExpression" ? "CloseExpression" : "CloseStatement";
      if (open && token.type !== expected) {
        fail(
          offsets[i],
          `"${open.token.value}" opened at ${describeAt(open.offset)} must be closed with "${expected === "CloseExpression" ? "}}" : "%}"}", not "${token.value}"`,
        );
      }
      open = null;
    }
  }
  if (open) {
    const closer = open.token.type === "OpenExpression" ? "}}" : "%}";
    fail(open.offset, `"${open.token.value}" is never closed: expected "${closer}"`);
  }
  const unclosed = stack.pop();
  if (unclosed) {
    fail(unclosed.offset, `"{% ${unclosed.name} %}" is never closed: expected "{% ${BLOCK_ENDS[unclosed.name]} %}"`);
  }
}

/** `{% set x %}…{% endset %}` is a block; `{% set x = … %}` is not. */
function isBlockSet(tokens: Token[], from: number): boolean {
  for (let i = from; i < tokens.length && tokens[i].type !== "CloseStatement"; i++) {
    if (tokens[i].type === "Equals") return false;
  }
  return true;
}

/** Swaps each `{% include "ref" [ignore missing] %}` for a placeholder comment token. */
function replaceIncludes(source: Source, tokens: Token[], offsets: number[]): IncludeSite[] {
  const sites: IncludeSite[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (
      tokens[i].type !== "OpenStatement" ||
      tokens[i + 1]?.type !== "Identifier" ||
      tokens[i + 1].value !== "include"
    ) {
      continue;
    }
    const nameToken = tokens[i + 2];
    if (nameToken?.type !== "StringLiteral") {
      throw syntaxProblem(
        source,
        offsets[i + 2] ?? offsets[i],
        'include needs a quoted prompt reference, like {% include "shared/tone@production" %}',
      );
    }
    const ref = parseIncludeRef(nameToken.value);
    if ("error" in ref) throw syntaxProblem(source, offsets[i + 2], ref.error);
    let end = i + 3;
    let ignoreMissing = false;
    if (tokens[end]?.value === "ignore" && tokens[end + 1]?.value === "missing") {
      ignoreMissing = true;
      end += 2;
    }
    if (tokens[end]?.type !== "CloseStatement") {
      throw syntaxProblem(
        source,
        offsets[end] ?? offsets[i],
        'Expected "%}" after the include reference (only {% include "name" %} and {% include "name" ignore missing %} are supported)',
      );
    }
    const marker = `${MARKER_PREFIX}${sites.length}`;
    sites.push({ ref, ignoreMissing, offset: offsets[i], marker });
    const replacement: Token[] = [{ value: marker, type: "Comment" }];
    const replacementOffsets = [offsets[i]];
    // A Jinja block tag swallows the line break after it (trim_blocks). For an include that would glue
    // the snippet to the next line, so the line break after `%}` is kept (unless `-%}` strips it).
    const closeAt = offsets[end];
    const newlineAt = closeAt + 2;
    const glued = source.text.startsWith("%}\n", closeAt) && newlineAt < source.text.length - 1;
    const next = tokens[end + 1];
    const nextStrips = next && /^\{[{%#]-/.test(source.text.slice(offsets[end + 1], offsets[end + 1] + 3));
    if (glued && !nextStrips) {
      if (next?.type === "Text") {
        next.value = `\n${next.value}`;
        offsets[end + 1] = newlineAt;
      } else {
        replacement.push({ value: "\n", type: "Text" });
        replacementOffsets.push(newlineAt);
      }
    }
    tokens.splice(i, end - i + 1, ...replacement);
    offsets.splice(i, end - i + 1, ...replacementOffsets);
  }
  return sites;
}

function encodeIdentifiers(tokens: Token[], offsets: number[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.type !== "Identifier" || EXPRESSION_KEYWORDS.has(token.value)) continue;
    if (tokens[i - 1]?.type === "OpenStatement") continue; // a statement name: set, for, endif, …
    token.value = `${token.value}${ENCODING}${offsets[i]}`;
  }
}

function decode(program: ProgramNode, record: (node: IdentifierNode, offset: number) => void): void {
  const visit = (node: Node) => {
    if (node.type === "Identifier") {
      const at = node.value.indexOf(ENCODING);
      if (at >= 0) {
        record(node, Number(node.value.slice(at + 1)));
        node.value = node.value.slice(0, at);
      }
      return;
    }
    for (const child of children(node)) visit(child);
  };
  visit(program);
}
