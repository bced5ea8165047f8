/**
 * The benchmark file both dataset benches use: a chat-format JSONL file of
 * `megabytes` MiB, streamed to disk and seeded (every run writes the same
 * bytes): a system prompt from a small pool, 1–3 user/assistant turns of
 * 20–400 words, 1 % exact duplicates, about 0.1 % broken lines (bad JSON, a
 * missing assistant message, an unknown role) so the error paths run too,
 * and metadata on every tenth example.
 */
import { createWriteStream } from "node:fs";
import { seededRandom } from "@/lib/random";

const CHUNK = 1024 * 1024;

const WORDS = (
  "the of and to in is that for it as with was on be by this are from at or an have not which but " +
  "model token dataset training example assistant user system prompt answer question latency gateway " +
  "deploy version label experiment variant metric cost budget request response stream cache retry " +
  "Switchyard PostgreSQL OpenAI JSON schema validation café naïve résumé 東京 数据 Straße 42 2024 3.14"
).split(" ");

export async function generate(file: string, megabytes: number): Promise<{ lines: number }> {
  const random = seededRandom(42);
  const target = megabytes * 1024 * 1024;
  const out = createWriteStream(file);
  const systems = Array.from({ length: 8 }, (_, i) => `You are helpful assistant #${i}. ${sentence(random, 30)}`);
  const recent: string[] = [];
  let written = 0;
  let lines = 0;
  let buffer = "";
  while (written < target) {
    let line: string;
    const r = random();
    if (r < 0.01 && recent.length > 0) line = recent[Math.floor(random() * recent.length)];
    else if (r < 0.0103) line = `{"messages": [{"role": "user", "content": "broken json"`;
    else if (r < 0.0106) line = JSON.stringify({ messages: [{ role: "user", content: sentence(random, 20) }] });
    else if (r < 0.0109) line = JSON.stringify({ messages: [{ role: "bot", content: "hi" }] });
    else {
      const messages: { role: string; content: string }[] = [
        { role: "system", content: systems[Math.floor(random() * systems.length)] },
      ];
      const turns = 1 + Math.floor(random() * 3);
      for (let t = 0; t < turns; t++) {
        messages.push({ role: "user", content: sentence(random, 20 + Math.floor(random() * 120)) });
        messages.push({ role: "assistant", content: sentence(random, 40 + Math.floor(random() * 360)) });
      }
      const example: Record<string, unknown> = { messages };
      if (lines % 10 === 0) example.metadata = { source: `s${lines % 7}`, lang: random() < 0.5 ? "en" : "de" };
      line = JSON.stringify(example);
      if (recent.length < 64) recent.push(line);
      else recent[Math.floor(random() * 64)] = line;
    }
    buffer += `${line}\n`;
    lines++;
    if (buffer.length > CHUNK) {
      written += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      buffer = "";
    }
  }
  if (buffer) out.write(buffer);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { lines };
}

function sentence(random: () => number, words: number): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i++) parts.push(WORDS[Math.floor(random() * WORDS.length)]);
  const text = parts.join(" ");
  return random() < 0.3 ? `${text}.\n\n"${parts[0]}" — ok?` : `${text}.`;
}
