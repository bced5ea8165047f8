/**
 * Where a JSON text stops being JSON, as an offset and a message. Node's
 * JSON.parse messages do not always carry a position (Node 20 often quotes
 * the text instead), so this small recursive-descent scan finds it. Only run
 * after JSON.parse failed.
 */
export function jsonSyntaxError(text: string): { offset: number; message: string } | null {
  let i = 0;
  const fail = (message: string): never => {
    throw { offset: i, message };
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const seen = () => (i >= text.length ? "the end of the text" : `'${text[i]}'`);
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") object();
    else if (c === "[") array();
    else if (c === '"') string();
    else if (c === "-" || (c >= "0" && c <= "9")) number();
    else {
      const word = ["true", "false", "null"].find((w) => text.startsWith(w, i));
      if (!word) fail(`Expected a value, found ${seen()}`);
      i += word!.length;
    }
  };
  const object = () => {
    i++;
    ws();
    if (text[i] === "}") {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail(`Expected a double-quoted property name, found ${seen()}`);
      string();
      ws();
      if (text[i] !== ":") fail(`Expected ':' after the property name, found ${seen()}`);
      i++;
      value();
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return;
      }
      fail(`Expected ',' or '}', found ${seen()}`);
    }
  };
  const array = () => {
    i++;
    ws();
    if (text[i] === "]") {
      i++;
      return;
    }
    for (;;) {
      value();
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return;
      }
      fail(`Expected ',' or ']', found ${seen()}`);
    }
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text.charCodeAt(i) < 0x20) fail("Unescaped control character in a string");
      i++;
    }
    if (i >= text.length) fail("Unterminated string");
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail(`Invalid number`);
    i += match![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`Unexpected ${seen()} after the JSON value`);
    return null;
  } catch (error) {
    return error as { offset: number; message: string };
  }
}
