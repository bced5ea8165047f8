/**
 * Dataset import throughput and memory, against baselines in the same run:
 *
 *   npx tsx bench/datasets/import.ts [--mb 1024] [--reps 1] [--file path] [--keep]
 *
 * 1. Generates a chat-format JSONL file of `--mb` MiB in a temp folder,
 *    streamed to disk (seeded, so every run writes the same bytes): a system
 *    prompt from a small pool, 1–3 user/assistant turns of 20–400 words,
 *    1 % exact duplicates, about 0.1 % broken lines (bad JSON, a missing
 *    assistant message, an unknown role) so the error paths run too, and
 *    metadata on every tenth example.
 * 2. Runs each candidate in its own child process (so peak RSS is its own),
 *    reading the file with `fs.createReadStream` (1 MiB chunks):
 *    - baseline `readline`: lines counted, nothing parsed;
 *    - baseline `readline + JSON.parse`: each line parsed, nothing checked;
 *    - Switchyard `importJsonl`: split, UTF-8 check, JSON.parse, format
 *      detection, validation, token count (rough counter), canonical JSON,
 *      example hash + content/records hashes, statistics, duplicate index.
 *    Peak RSS = the largest `process.memoryUsage.rss()` sampled every 20 ms
 *    and every 16 batches (import) or 1024 lines (baselines). The Node heap
 *    limit is left at its default (no --max-old-space-size).
 *
 * The database write path (inserting examples) is not measured here.
 */
import { spawn } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { estimateTraining, importJsonl } from "@/server/modules/datasets/core";
import { generate } from "./generate";

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "1024" },
    reps: { type: "string", default: "1" },
    file: { type: "string" },
    keep: { type: "boolean", default: false },
    child: { type: "string" },
  },
});

const CHUNK = 1024 * 1024;

// ---------------------------------------------------------------- candidates

type Mode = "readline" | "readline-json" | "import";

async function runChild(mode: Mode, file: string): Promise<void> {
  let peak = process.memoryUsage().rss;
  // process.memoryUsage.rss() is process.memoryUsage().rss without the heap statistics (cheaper).
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  };
  const timer = setInterval(sample, 20);
  const started = process.hrtime.bigint();
  const stream = () => createReadStream(file, { highWaterMark: CHUNK });
  let detail: Record<string, unknown> = {};
  if (mode === "readline" || mode === "readline-json") {
    let lines = 0;
    let objects = 0;
    const parse = mode === "readline-json";
    for await (const line of createInterface({ input: stream(), crlfDelay: Number.POSITIVE_INFINITY })) {
      lines++;
      if (parse) {
        try {
          if (typeof JSON.parse(line) === "object") objects++;
        } catch {
          // counted as not an object
        }
      }
      if ((lines & 1023) === 0) sample();
    }
    detail = { lines, objects };
  } else {
    const upload = importJsonl(stream());
    let examples = 0;
    let batches = 0;
    for await (const batch of upload) {
      for (const line of batch) if (line.example) examples++;
      if ((++batches & 15) === 0) sample();
    }
    const result = upload.result();
    detail = {
      examples,
      format: result.format,
      contentHash: result.contentHash,
      errors: result.issues.errors,
      counts: result.issues.counts,
      duplicates: result.stats.duplicates,
      tokensPerExample: result.stats.tokensPerExample,
      training: estimateTraining({ examples: result.examples, billingTokens: result.stats.billingTokens }),
      duplicateIndexBytes: result.stats.duplicateIndexBytes,
    };
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer);
  sample();
  process.stdout.write(`${JSON.stringify({ mode, seconds, peakRss: peak, detail })}\n`);
}

function child(mode: Mode, file: string): Promise<{ mode: Mode; seconds: number; peakRss: number; detail: unknown }> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, script, "--child", mode, "--file", file], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
    });
    proc.on("error", reject);
    proc.on("close", (code) => {
      if (code !== 0) reject(new Error(`${mode} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split("\n").pop() ?? "{}"));
    });
  });
}

// ---------------------------------------------------------------- main

async function main() {
  if (values.child) {
    await runChild(values.child as Mode, values.file as string);
    return;
  }
  const megabytes = Number(values.mb);
  const reps = Number(values.reps);
  const dir = values.file ? undefined : mkdtempSync(path.join(os.tmpdir(), "switchyard-bench-datasets-"));
  const file = values.file ?? path.join(dir as string, "dataset.jsonl");
  try {
    if (!values.file) {
      const t0 = performance.now();
      const { lines } = await generate(file, megabytes);
      const s = (performance.now() - t0) / 1000;
      console.log(
        `generated ${file}: ${lines} lines, ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB in ${s.toFixed(1)} s`,
      );
    }
    const size = statSync(file).size;
    const mib = size / 2 ** 20;
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, ` +
        `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, heap limit default`,
    );
    const rows: { mode: Mode; seconds: number[]; peak: number[]; detail: unknown }[] = [];
    const modes: Mode[] = ["readline", "readline-json", "import"];
    for (const mode of modes) rows.push({ mode, seconds: [], peak: [], detail: undefined });
    for (let rep = 0; rep < reps; rep++) {
      for (const row of rows) {
        const r = await child(row.mode, file);
        row.seconds.push(r.seconds);
        row.peak.push(r.peakRss);
        row.detail = r.detail;
      }
    }
    const label: Record<Mode, string> = {
      readline: "baseline: readline (split only)",
      "readline-json": "baseline: readline + JSON.parse",
      import: "Switchyard importJsonl (whole pipeline)",
    };
    console.log(`\n| run | median s | MB/s (min–max) | peak RSS MiB |\n| --- | ---: | ---: | ---: |`);
    for (const row of rows) {
      const s = median(row.seconds);
      const range = `${(mib / Math.max(...row.seconds)).toFixed(1)}–${(mib / Math.min(...row.seconds)).toFixed(1)}`;
      const peak = (Math.max(...row.peak) / 2 ** 20).toFixed(0);
      console.log(`| ${label[row.mode]} | ${s.toFixed(2)} | ${(mib / s).toFixed(1)} (${range}) | ${peak} |`);
    }
    const imported = rows.find((r) => r.mode === "import");
    console.log(`\nimport result: ${JSON.stringify(imported?.detail)}`);
    const s = median(imported?.seconds ?? [1]);
    const peak = Math.max(...(imported?.peak ?? [0])) / 2 ** 20;
    const ok = mib / s >= 30 && peak < 300;
    console.log(`targets (>= 30 MB/s, < 300 MiB RSS): ${ok ? "met" : "NOT met"}`);
    if (!ok) process.exitCode = 1;
  } finally {
    if (dir && !values.keep) rmSync(dir, { recursive: true, force: true });
    else if (dir) console.log(`kept ${file}`);
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

await main();
