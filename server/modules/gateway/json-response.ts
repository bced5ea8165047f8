/**
 * JSON answers as Fetch `Response`s that also carry their serialized form, so
 * the `node:http` adapter writes status, headers and text in one go instead of
 * reading the Response's body back through a web stream (measured: ~10 % of
 * the gateway's CPU per request). Everything else (Next, tests) sees an
 * ordinary Response.
 */
const PLAIN = Symbol("switchyard.plainJson");

export interface PlainJson {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export function jsonResponse(
  value: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  const text = JSON.stringify(value);
  const headers = { ...init.headers, "content-type": "application/json" };
  const status = init.status ?? 200;
  const response = new Response(text, { status, headers });
  (response as Response & { [PLAIN]?: PlainJson })[PLAIN] = { status, headers, text };
  return response;
}

/** The serialized answer, when the Response was made by `jsonResponse`. */
export function plainJson(response: Response): PlainJson | undefined {
  return (response as Response & { [PLAIN]?: PlainJson })[PLAIN];
}
