/**
 * The shown-once examples of a new key: the official `openai` SDKs and curl against this deployment's gateway,
 * with the key and a model of the project filled in, so the first call works as pasted.
 */
export interface SnippetInput {
  /** The gateway's base URL, ending in /v1 (the console's origin + /v1). */
  baseUrl: string;
  key: string;
  /** A model (or model@alias) the project serves. */
  model: string;
}

export const SNIPPET_LANGUAGES = ["python", "javascript", "curl"] as const;
export type SnippetLanguage = (typeof SNIPPET_LANGUAGES)[number];

export const SNIPPET_LABELS: Record<SnippetLanguage, string> = {
  python: "Python (openai)",
  javascript: "JavaScript (openai)",
  curl: "curl",
};

/** A string as a JSON/Python/JS double-quoted literal (names and URLs could hold quotes). */
const quoted = (value: string) => JSON.stringify(value);
/** A string in single quotes for a POSIX shell. */
const shell = (value: string) => `'${value.replaceAll("'", `'"'"'`)}'`;

export function gatewaySnippet(language: SnippetLanguage, { baseUrl, key, model }: SnippetInput): string {
  const message = { role: "user", content: "Hello" };
  switch (language) {
    case "python":
      return [
        "from openai import OpenAI",
        "",
        `client = OpenAI(base_url=${quoted(baseUrl)}, api_key=${quoted(key)})`,
        "reply = client.chat.completions.create(",
        `    model=${quoted(model)},`,
        '    messages=[{"role": "user", "content": "Hello"}],',
        ")",
        "print(reply.choices[0].message.content)",
      ].join("\n");
    case "javascript":
      return [
        'import OpenAI from "openai";',
        "",
        `const client = new OpenAI({ baseURL: ${quoted(baseUrl)}, apiKey: ${quoted(key)} });`,
        "const reply = await client.chat.completions.create({",
        `  model: ${quoted(model)},`,
        '  messages: [{ role: "user", content: "Hello" }],',
        "});",
        "console.log(reply.choices[0].message.content);",
      ].join("\n");
    case "curl":
      return [
        `curl ${shell(`${baseUrl}/chat/completions`)} \\`,
        `  -H ${shell(`Authorization: Bearer ${key}`)} \\`,
        "  -H 'Content-Type: application/json' \\",
        `  -d ${shell(JSON.stringify({ model, messages: [message] }))}`,
      ].join("\n");
  }
}

/**
 * The model a snippet names: a chat model's `production` alias when it has one, else the model itself (its
 * newest version); null when the project has no chat model yet.
 */
export function snippetModel(models: readonly { name: string; task: string; aliases: { name: string }[] }[]) {
  const chat = models.filter((m) => m.task === "chat");
  const withProduction = chat.find((m) => m.aliases.some((a) => a.name === "production"));
  if (withProduction) return `${withProduction.name}@production`;
  return chat[0]?.name ?? null;
}
