/**
 * GPU check: which execution provider the engine loads on this machine (CUDA, WebGPU, CPU), why a GPU
 * provider does not start, and the tokens/s each working one reaches. Meant for a GPU machine, one command:
 *
 *   npx tsx bench/inference/devices.ts [--tokens 128]
 *
 * Prints one JSON line per device (requested, device it ran on, tokens/s, TTFT; or unavailable with the
 * reason), then a summary naming the device `auto` picks. Exits 1 when no GPU provider starts, so a GPU
 * machine that silently runs on CPU fails the check (the CPU figure is still printed).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { InferenceEngine } from "@/server/modules/inference/engine";
import { BENCH_MODEL_OPTIONS, writeTestModel } from "@/server/modules/inference/model-builder";
import type { Device } from "@/server/modules/inference/types";

const { values } = parseArgs({ options: { tokens: { type: "string", default: "128" } } });
const NEW_TOKENS = Number(values.tokens);
const dir = await mkdtemp(path.join(os.tmpdir(), "switchyard-devices-"));
await writeTestModel(dir, BENCH_MODEL_OPTIONS);
const results: Record<string, unknown>[] = [];
const gpuFailures: string[] = [];

for (const requested of ["cuda", "webgpu", "cpu", "auto"] as const) {
  const engine = new InferenceEngine({ device: requested });
  try {
    const probe = await engine.probeDevices();
    if (requested === "cuda" || requested === "webgpu") {
      const status = probe.devices[requested];
      if (status.status !== "available") {
        gpuFailures.push(`${requested}: ${status.reason ?? status.error}`);
        results.push({ requested, device: null, unavailable: status.reason, error: status.error });
        continue;
      }
    }
    const { device } = await engine.load({ dir });
    const request = { prompt: "abcdefghij", temperature: 0, maxTokens: NEW_TOKENS, ignoreEos: true };
    await engine.complete({ dir }, request); // warm-up
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await engine.complete({ dir }, request)).stats);
    const best = runs.sort((a, b) => b.tokensPerSecond - a.tokensPerSecond)[0];
    results.push({
      requested,
      device,
      tokensPerSecond: Math.round(best.tokensPerSecond * 10) / 10,
      ttftMs: Math.round(best.ttftMs * 10) / 10,
    });
  } catch (error) {
    results.push({ requested, device: null, error: error instanceof Error ? error.message : String(error) });
  } finally {
    await engine.close();
  }
}
await rm(dir, { recursive: true, force: true });
for (const r of results) console.log(JSON.stringify(r));
const auto = results.find((r) => r.requested === "auto");
const picked = auto?.device as Device | null | undefined;
console.log(`auto runs on ${picked ?? "nothing"} at ${auto?.tokensPerSecond ?? "?"} tokens/s`);
if (picked !== "cuda" && picked !== "webgpu") {
  console.error(
    `NO GPU: no GPU provider started on this machine, inference runs on CPU\n  ${gpuFailures.join("\n  ")}`,
  );
  process.exit(1);
}
