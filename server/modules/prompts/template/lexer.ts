/**
 * A port of @huggingface/jinja's lexer (0.5.11, `src/lexer.ts`, MIT) that also records where each
 * token starts in the ORIGINAL template. The library's tokens carry no positions, and neither do its
 * AST nodes or errors, so without this we could not say "line 3, column 5". The tokens produced are
 * the same values and types as the library's `tokenize(source, { lstrip_blocks: true, trim_blocks:
 * true })` (the options its `Template` uses), which `lexer.test.ts` checks against the library, and
 * they are fed to the library's own `parse`.
 */

type TokenType =
  | "Text"
  | "NumericLiteral"
  | "StringLiteral"
  | "Identifier"
  | "Equals"
  | "OpenParen"
  | "CloseParen"
  | "OpenStatement"
  | "CloseStatement"
  | "OpenExpression"
  | "CloseExpression"
  | "OpenSquareBracket"
  | "CloseSquareBracket"
  | "OpenCurlyBracket"
  | "CloseCurlyBracket"
  | "Comma"
  | "Dot"
  | "Colon"
  | "Pipe"
  | "CallOperator"
  | "AdditiveBinaryOperator"
  | "MultiplicativeBinaryOperator"
  | "ExponentiationBinaryOperator"
  | "ComparisonBinaryOperator"
  | "UnaryOperator"
  | "Comment";

export interface Token {
  value: string;
  type: TokenType;
}

export interface LexedTemplate {
  tokens: Token[];
  /** offsets[i]: where tokens[i] starts in the original template. */
  offsets: number[];
}

/** A syntax problem at an offset of the original template. */
export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "TemplateSyntaxError";
  }
}

const ORDERED_MAPPING_TABLE: [string, TokenType][] = [
  ["{%", "OpenStatement"],
  ["%}", "CloseStatement"],
  ["{{", "OpenExpression"],
  ["}}", "CloseExpression"],
  ["(", "OpenParen"],
  [")", "CloseParen"],
  ["{", "OpenCurlyBracket"],
  ["}", "CloseCurlyBracket"],
  ["[", "OpenSquareBracket"],
  ["]", "CloseSquareBracket"],
  [",", "Comma"],
  [".", "Dot"],
  [":", "Colon"],
  ["|", "Pipe"],
  ["<=", "ComparisonBinaryOperator"],
  [">=", "ComparisonBinaryOperator"],
  ["==", "ComparisonBinaryOperator"],
  ["!=", "ComparisonBinaryOperator"],
  ["<", "ComparisonBinaryOperator"],
  [">", "ComparisonBinaryOperator"],
  ["+", "AdditiveBinaryOperator"],
  ["-", "AdditiveBinaryOperator"],
  ["~", "AdditiveBinaryOperator"],
  ["**", "ExponentiationBinaryOperator"],
  ["*", "MultiplicativeBinaryOperator"],
  ["//", "MultiplicativeBinaryOperator"],
  ["/", "MultiplicativeBinaryOperator"],
  ["%", "MultiplicativeBinaryOperator"],
  ["=", "Equals"],
];

const ESCAPE_CHARACTERS = new Map([
  ["n", "\n"],
  ["t", "\t"],
  ["r", "\r"],
  ["b", "\b"],
  ["f", "\f"],
  ["v", "\v"],
  ["'", "'"],
  ['"', '"'],
  ["\\", "\\"],
]);

const isWord = (char: string | undefined) => char !== undefined && /\w/.test(char);
const isInteger = (char: string | undefined) => char !== undefined && /[0-9]/.test(char);
const isWhitespace = (char: string | undefined) => char !== undefined && /\s/.test(char);

/** A string plus, for each of its characters, the offset it came from in the original. */
interface Mapped {
  text: string;
  map: number[];
}

/** Deletes, for each regex match, the ranges `deletions(match)` gives (relative to the match start). */
function deleteWhere(input: Mapped, re: RegExp, deletions: (m: RegExpExecArray) => [number, number][]): Mapped {
  let text = "";
  const map: number[] = [];
  let kept = 0;
  const keep = (from: number, to: number) => {
    text += input.text.slice(from, to);
    for (let i = from; i < to; i++) map.push(input.map[i]);
  };
  for (const m of input.text.matchAll(re)) {
    const start = m.index ?? 0;
    for (const [from, to] of deletions(m as RegExpExecArray)) {
      keep(kept, start + from);
      kept = start + to;
    }
  }
  keep(kept, input.text.length);
  map.push(input.map[input.text.length]);
  return { text, map };
}

/** The library's `preprocess` with lstrip_blocks and trim_blocks, keeping the offset map. */
function preprocess(template: string): Mapped {
  let mapped: Mapped = { text: template, map: Array.from({ length: template.length + 1 }, (_, i) => i) };
  if (mapped.text.endsWith("\n")) {
    mapped = { text: mapped.text.slice(0, -1), map: [...mapped.map.slice(0, -2), mapped.map.at(-1) as number] };
  }
  mapped = deleteWhere(mapped, /^[ \t]*({[#%-])/gm, (m) => [[0, m[0].length - m[1].length]]);
  mapped = deleteWhere(mapped, /([#%-]})\n/g, (m) => [[m[1].length, m[0].length]]);
  return deleteWhere(mapped, /(\s*){%(-?)\s*(?:end)?generation\s*(-?)%}(\s*)/gs, (m) => {
    const [all, before, lstrip, rstrip, after] = m;
    return [[lstrip ? 0 : before.length, rstrip ? all.length : all.length - after.length]];
  });
}

/** Tokenizes like the library, recording each token's original offset. */
export function lex(template: string): LexedTemplate {
  const { text: src, map } = preprocess(template);
  const tokens: Token[] = [];
  const starts: number[] = [];
  let cursor = 0;
  let curlyBracketDepth = 0;
  // Where the tag we are inside opened, to hint at a missing `}}` / `%}` when lexing fails later,
  // and where the string literal being read opened, for an unterminated one.
  let openTag: { start: number; value: string } | null = null;
  let stringStart: number | null = null;

  const fail = (message: string, at = cursor): never => {
    let hint = "";
    if (openTag && template.slice(map[openTag.start], map[at]).includes("\n")) {
      const closer = openTag.value === "{{" ? "}}" : "%}";
      hint = ` (is the "${openTag.value}" opened earlier missing its "${closer}"?)`;
    }
    throw new TemplateSyntaxError(message + hint, map[Math.min(at, src.length)]);
  };
  const endOfInput = (): never => {
    if (stringStart !== null) return fail("Unterminated string", stringStart);
    if (openTag) {
      const { value, start } = openTag;
      openTag = null;
      return fail(`"${value}" is never closed: expected "${value === "{{" ? "}}" : "%}"}"`, start);
    }
    return fail("Unexpected end of input");
  };
  const push = (value: string, type: TokenType, start: number) => {
    tokens.push({ value, type });
    starts.push(start);
    if (type === "OpenStatement" || type === "OpenExpression") openTag = { start, value };
    else if (type === "CloseStatement" || type === "CloseExpression") openTag = null;
  };

  const consumeWhile = (predicate: (char: string | undefined) => boolean): string => {
    let str = "";
    while (predicate(src[cursor])) {
      if (src[cursor] === "\\") {
        const escapeAt = cursor;
        ++cursor;
        if (cursor >= src.length) endOfInput();
        const escaped = src[cursor++];
        if (escaped === "x" || escaped === "u") {
          const length = escaped === "x" ? 2 : 4;
          const hex = src.slice(cursor, cursor + length);
          if (hex.length !== length || /[^0-9a-f]/i.test(hex)) {
            fail(`Invalid hexadecimal escape sequence: \\${escaped}${hex}`, escapeAt);
          }
          str += String.fromCharCode(Number.parseInt(hex, 16));
          cursor += length;
          continue;
        }
        const unescaped = ESCAPE_CHARACTERS.get(escaped);
        if (unescaped === undefined) fail(`Unexpected escaped character: ${escaped}`, escapeAt);
        str += unescaped;
        continue;
      }
      str += src[cursor++];
      if (cursor >= src.length) endOfInput();
    }
    return str;
  };

  const stripTrailingWhitespace = () => {
    const last = tokens.at(-1);
    if (last && last.type === "Text") {
      last.value = last.value.trimEnd();
      if (last.value === "") {
        tokens.pop();
        starts.pop();
      }
    }
  };
  const skipLeadingWhitespace = () => {
    while (cursor < src.length && isWhitespace(src[cursor])) ++cursor;
  };

  main: while (cursor < src.length) {
    const lastTokenType = tokens.at(-1)?.type;
    if (
      lastTokenType === undefined ||
      lastTokenType === "CloseStatement" ||
      lastTokenType === "CloseExpression" ||
      lastTokenType === "Comment"
    ) {
      const start = cursor;
      let text = "";
      while (
        cursor < src.length &&
        !(src[cursor] === "{" && (src[cursor + 1] === "%" || src[cursor + 1] === "{" || src[cursor + 1] === "#"))
      ) {
        text += src[cursor++];
      }
      if (text.length > 0) {
        push(text, "Text", start);
        continue;
      }
    }

    if (src[cursor] === "{" && src[cursor + 1] === "#") {
      const start = cursor;
      cursor += 2;
      const stripBefore = src[cursor] === "-";
      if (stripBefore) ++cursor;
      let comment = "";
      while (src[cursor] !== "#" || src[cursor + 1] !== "}") {
        if (cursor + 2 >= src.length) fail("Missing end of comment tag", start);
        comment += src[cursor++];
      }
      const stripAfter = comment.endsWith("-");
      if (stripAfter) comment = comment.slice(0, -1);
      if (stripBefore) stripTrailingWhitespace();
      push(comment, "Comment", start);
      cursor += 2;
      if (stripAfter) skipLeadingWhitespace();
      continue;
    }

    if (src.slice(cursor, cursor + 3) === "{%-") {
      stripTrailingWhitespace();
      push("{%", "OpenStatement", cursor);
      cursor += 3;
      continue;
    }
    if (src.slice(cursor, cursor + 3) === "{{-") {
      stripTrailingWhitespace();
      push("{{", "OpenExpression", cursor);
      curlyBracketDepth = 0;
      cursor += 3;
      continue;
    }

    consumeWhile(isWhitespace);

    if (src.slice(cursor, cursor + 3) === "-%}") {
      push("%}", "CloseStatement", cursor);
      cursor += 3;
      skipLeadingWhitespace();
      continue;
    }
    if (src.slice(cursor, cursor + 3) === "-}}") {
      push("}}", "CloseExpression", cursor);
      cursor += 3;
      skipLeadingWhitespace();
      continue;
    }

    const start = cursor;
    const char = src[cursor];

    if (char === "-" || char === "+") {
      const lastType = tokens.at(-1)?.type;
      if (lastType === "Text" || lastType === undefined) fail(`Unexpected character: ${char}`);
      switch (lastType) {
        case "Identifier":
        case "NumericLiteral":
        case "StringLiteral":
        case "CloseParen":
        case "CloseSquareBracket":
          break;
        default: {
          ++cursor;
          let num = consumeWhile(isInteger);
          if (num.length > 0 && src[cursor] === "." && isInteger(src[cursor + 1])) {
            ++cursor;
            const frac = consumeWhile(isInteger);
            num = `${num}.${frac}`;
          }
          push(`${char}${num}`, num.length > 0 ? "NumericLiteral" : "UnaryOperator", start);
          continue;
        }
      }
    }

    for (const [seq, type] of ORDERED_MAPPING_TABLE) {
      if (seq === "}}" && curlyBracketDepth > 0) continue;
      if (src.slice(cursor, cursor + seq.length) === seq) {
        push(seq, type, start);
        if (type === "OpenExpression") curlyBracketDepth = 0;
        else if (type === "OpenCurlyBracket") ++curlyBracketDepth;
        else if (type === "CloseCurlyBracket") --curlyBracketDepth;
        cursor += seq.length;
        continue main;
      }
    }

    if (char === "'" || char === '"') {
      ++cursor;
      stringStart = start;
      const str = consumeWhile((c) => c !== char);
      stringStart = null;
      push(str, "StringLiteral", start);
      ++cursor;
      continue;
    }

    if (isInteger(char)) {
      let num = consumeWhile(isInteger);
      if (tokens.at(-1)?.type !== "Dot" && src[cursor] === "." && isInteger(src[cursor + 1])) {
        ++cursor;
        const frac = consumeWhile(isInteger);
        num = `${num}.${frac}`;
      }
      push(num, "NumericLiteral", start);
      continue;
    }
    if (isWord(char)) {
      push(consumeWhile(isWord), "Identifier", start);
      continue;
    }

    fail(`Unexpected character: ${char}`);
  }

  return { tokens, offsets: starts.map((s) => map[s]) };
}
