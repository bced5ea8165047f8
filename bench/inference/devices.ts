/**
 * Device check: which execution provider the engine loads on this machine
 * (CUDA, WebGPU, CPU) and the tokens/s it reaches on each that works. Meant
 * for a GPU machine, prepared to run as one command:
 *
 *   npx tsx bench/inference/devices.ts [--tokens 128]
 *
 * Prints JSON (one object per device tried) and a summary line.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { InferenceEngine } from "@/server/modules/inference/engine";
import { BENCH_MODEL_OPTIONS, writeTestModel } from "@/server/modules/inference/model-builder";

const { values } = parseArgs({ options: { tokens: { type: "string", default: "128" } } });
const NEW_TOKENS = Number(values.tokens);
const dir = await mkdtemp(path.join(os.tmpdir(), "switchyard-devices-"));
await writeTestModel(dir, BENCH_MODEL_OPTIONS);
const results: Record<string, unknown>[] = [];

for (const device of ["auto", "cuda", "webgpu", "cpu"] as const) {
  const engine = new InferenceEngine({ device });
  try {
    const probe = await engine.probeDevices();
    const { device: loadedOn } = await engine.load({ dir });
    const request = { prompt: "abcdefghij", temperature: 0, maxTokens: NEW_TOKENS, ignoreEos: true };
    await engine.complete({ dir }, request); // warm-up
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await engine.complete({ dir }, request)).stats);
    const best = runs.sort((a, b) => b.tokensPerSecond - a.tokensPerSecond)[0];
    results.push({
      requested: device,
      loadedOn,
      tokensPerSecond: Math.round(best.tokensPerSecond * 10) / 10,
      ttftMs: Math.round(best.ttftMs * 10) / 10,
      devices: probe.devices,
    });
  } catch (error) {
    results.push({ requested: device, error: error instanceof Error ? error.message : String(error) });
  } finally {
    await engine.close();
  }
}
await rm(dir, { recursive: true, force: true });
for (const r of results) console.log(JSON.stringify(r));
const auto = results.find((r) => r.requested === "auto");
console.log(`auto picks ${auto?.loadedOn ?? "nothing"} at ${auto?.tokensPerSecond ?? "?"} tokens/s`);
