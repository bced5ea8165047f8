/**
 * Where a JSON text stops being JSON, as an offset and a message. Node's
 * JSON.parse messages do not always carry a position (Node 20 often quotes
 * the text instead), so `jsonc-parser` (VS Code's, strict mode: no comments,
 * no trailing commas) finds it. Only run after JSON.parse failed.
 */
import { type ParseError, parse, printParseErrorCode } from "jsonc-parser";

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

function seen(text: string, offset: number): string {
  return offset >= text.length ? "the end of the text" : `'${text[offset]}'`;
}

// ParseErrorCode is a const enum, which isolated modules cannot read: switch on its printed names.
function located(text: string, { error, offset, length }: ParseError): { offset: number; message: string } {
  const found = seen(text, offset);
  const code = printParseErrorCode(error);
  switch (code) {
    case "ColonExpected":
      return { offset, message: `Expected ':' after the property name, found ${found}` };
    case "PropertyNameExpected":
      return { offset, message: `Expected a double-quoted property name, found ${found}` };
    case "CommaExpected":
    case "CloseBraceExpected":
    case "CloseBracketExpected": {
      const close = code === "CloseBracketExpected" ? "']'" : code === "CommaExpected" ? "a closing bracket" : "'}'";
      return { offset, message: `Expected ',' or ${close}, found ${found}` };
    }
    case "EndOfFileExpected":
      return { offset, message: `Unexpected ${found} after the JSON value` };
    // The scanner reports an open string at its start; the place it stopped being a string is its end.
    case "UnexpectedEndOfString":
      return { offset: offset + length, message: "Unterminated string" };
    case "InvalidEscapeCharacter":
      return { offset, message: "Invalid escape sequence in a string" };
    case "InvalidUnicode":
      return { offset, message: "Invalid \\u escape in a string (four hex digits expected)" };
    case "InvalidCharacter":
      return { offset, message: "Unescaped control character in a string" };
    case "InvalidNumberFormat":
    case "UnexpectedEndOfNumber":
      return { offset, message: "Invalid number" };
    case "InvalidCommentToken":
    case "UnexpectedEndOfComment":
      return { offset, message: "Comments are not allowed in JSON" };
    default:
      return { offset, message: `Expected a value, found ${found}` };
  }
}

export function jsonSyntaxError(text: string): { offset: number; message: string } | null {
  const errors: ParseError[] = [];
  parse(text, errors, STRICT);
  return errors.length ? located(text, errors[0]) : null;
}
