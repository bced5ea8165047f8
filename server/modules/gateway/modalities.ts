/**
 * What a Chat Completions request sent, for the log's `modalities`: `text`, `image`, `audio`, `file` from its
 * messages' content, and `tools` when it offered tools. Per request, so it stays cheap: string contents cost one
 * `typeof` each, parts are looked at only where a content is an array, and the answer is one of a few shared,
 * frozen arrays (nothing allocated).
 */
const TEXT = 1;
const IMAGE = 2;
const AUDIO = 4;
const FILE = 8;
const TOOLS = 16;
const NAMES = ["text", "image", "audio", "file", "tools"] as const;

/** The list for each combination of flags, built once. */
const BY_MASK: readonly (readonly string[])[] = Array.from({ length: 32 }, (_, mask) =>
  Object.freeze(NAMES.filter((_, bit) => mask & (1 << bit))),
);

/** Part types by flag: Chat Completions' own, and the Responses and Anthropic names a translated body may carry. */
const PART_FLAGS: Record<string, number> = {
  text: TEXT,
  refusal: TEXT,
  input_text: TEXT,
  image_url: IMAGE,
  image: IMAGE,
  input_image: IMAGE,
  input_audio: AUDIO,
  audio: AUDIO,
  file: FILE,
  input_file: FILE,
  document: FILE,
};

/** A request that only sent text (legacy completions, most chat): `["text"]`. */
export const TEXT_ONLY = BY_MASK[TEXT];

const offered = (value: unknown) => Array.isArray(value) && value.length > 0;

export function modalitiesOf(body: Record<string, unknown>): readonly string[] {
  const messages = body.messages;
  let mask = 0;
  if (Array.isArray(messages)) {
    for (const message of messages) {
      const content = (message as { content?: unknown } | null)?.content;
      if (typeof content === "string") mask |= TEXT;
      else if (Array.isArray(content)) mask |= partFlags(content);
    }
  }
  // No messages: a managed prompt supplies them, and prompts are text.
  if (mask === 0 && !(Array.isArray(messages) && messages.length > 0)) mask = TEXT;
  if (offered(body.tools) || offered(body.functions)) mask |= TOOLS;
  return BY_MASK[mask];
}

function partFlags(parts: unknown[]): number {
  let mask = 0;
  for (const part of parts) {
    const type = (part as { type?: unknown } | null)?.type;
    if (typeof type === "string") mask |= PART_FLAGS[type] ?? 0;
  }
  return mask;
}
