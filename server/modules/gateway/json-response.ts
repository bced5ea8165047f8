/**
 * JSON answers as Fetch `Response`s that keep their serialized text and
 * build a body stream only if someone asks for one. Measured on Node 20:
 * `new Response(text)` costs ~25 µs (it makes a web stream at once) against
 * ~2 µs without a body, and the `node:http` adapter then writes status,
 * headers and text in one go instead of reading the stream back. Status and
 * headers are read from the plain record too; a `Headers` object is built
 * only for code that asks (undici's header validation is most of the rest). Next, tests
 * and anything else see an ordinary Response: `body`, `text()`, `json()`,
 * `arrayBuffer()`, `bytes()`, `blob()` and `clone()` behave as usual.
 */
export interface PlainJson {
  status: number;
  headers: Record<string, string>;
  text: string;
}

class JsonResponse extends Response {
  readonly #plain: PlainJson;
  #headers: Headers | null = null;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | null = null;
  #used = false;

  constructor(plain: PlainJson) {
    super(null);
    this.#plain = plain;
  }

  /** What the adapter writes; headers as the `Headers` object says, if someone took it (and may have changed it). */
  get plain(): PlainJson {
    if (!this.#headers) return this.#plain;
    return { status: this.#plain.status, headers: Object.fromEntries(this.#headers), text: this.#plain.text };
  }

  override get status(): number {
    return this.#plain.status;
  }

  override get ok(): boolean {
    return this.#plain.status >= 200 && this.#plain.status <= 299;
  }

  override get headers(): Headers {
    this.#headers ??= new Headers(this.#plain.headers);
    return this.#headers;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    this.#stream ??= new Response(this.#plain.text).body as ReadableStream<Uint8Array<ArrayBuffer>>;
    return this.#stream;
  }

  override get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }

  #take(): string {
    if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    this.#used = true;
    return this.#plain.text;
  }

  override async text(): Promise<string> {
    return this.#take();
  }

  override async json(): Promise<unknown> {
    return JSON.parse(this.#take());
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new TextEncoder().encode(this.#take()) as Uint8Array<ArrayBuffer>;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  override async blob(): Promise<Blob> {
    return new Blob([this.#take()], { type: "application/json" });
  }

  override clone(): Response {
    if (this.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
    return new JsonResponse(this.plain);
  }
}

const JSON_CONTENT_TYPE = { "content-type": "application/json" };

export function jsonResponse(
  value: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return new JsonResponse({
    status: init.status ?? 200,
    // Not `{ ...init.headers, "content-type": … }`: a property after a spread is a slow path on Node 20.
    headers: Object.assign({}, init.headers, JSON_CONTENT_TYPE),
    text: JSON.stringify(value),
  });
}

/** The serialized answer, when the Response was made by `jsonResponse` and its body was not taken. */
export function plainJson(response: Response): PlainJson | undefined {
  return response instanceof JsonResponse && !response.bodyUsed ? response.plain : undefined;
}

/** A plain platform Response for hosts that may look inside it (the Next route mount). */
export function toStandardResponse(response: Response): Response {
  const plain = plainJson(response);
  return plain ? new Response(plain.text, { status: plain.status, headers: plain.headers }) : response;
}
