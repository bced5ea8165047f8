/**
 * Opt-in: installs onnxruntime-node's CUDA 12 execution provider, which the npm package does not bundle
 * (package.json `allowScripts` keeps onnxruntime-node's own install script off, so that `npm ci` never
 * downloads). Runs that package's installer, which downloads Microsoft.ML.OnnxRuntime.Gpu.Linux from NuGet
 * into node_modules/onnxruntime-node/bin, then checks that a CUDA session starts. Needs internet, Linux x64,
 * an NVIDIA driver, CUDA 12 and cuDNN 9. Never run by install, build or test.
 *
 *   npm run gpu:install [-- --dry-run] [-- --force]
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { cudaProviderInstalled, onnxruntimeBinDir } from "@/server/modules/inference/device-reasons";
import { DeviceSelector } from "@/server/modules/inference/devices";
import { installerEnv, missingLibraries, platformProblem } from "./lib/gpu-install";

const { values } = parseArgs({ options: { "dry-run": { type: "boolean" }, force: { type: "boolean" } } });

const problem = platformProblem(process.platform, process.arch);
if (problem) {
  console.error(`gpu:install: ${problem}`);
  process.exit(1);
}
const missing = missingLibraries();
if (missing.length > 0) {
  console.warn(
    `gpu:install: the dynamic loader cannot find ${missing.join(", ")}: the provider will install, but a CUDA session needs them (install CUDA 12 and cuDNN 9, or add their lib folders to LD_LIBRARY_PATH)`,
  );
}

const installer = path.join(
  path.dirname(createRequire(path.join(process.cwd(), "package.json")).resolve("onnxruntime-node/package.json")),
  "script",
  "install.js",
);
if (cudaProviderInstalled() && !values.force) {
  console.log(`gpu:install: the CUDA provider is already in ${onnxruntimeBinDir()} (--force to download it again)`);
} else if (values["dry-run"]) {
  console.log(`gpu:install: would run ONNXRUNTIME_NODE_INSTALL_CUDA=v12 node ${installer}`);
  process.exit(0);
} else {
  console.log(`gpu:install: node ${installer} (ONNXRUNTIME_NODE_INSTALL_CUDA=v12): downloading from NuGet...`);
  const run = spawnSync(process.execPath, [installer], {
    env: installerEnv(process.env) as NodeJS.ProcessEnv,
    stdio: "inherit",
  });
  if (run.status !== 0 || !cudaProviderInstalled()) {
    console.error(`gpu:install: onnxruntime-node's installer failed (exit ${run.status}); nothing else was changed`);
    process.exit(1);
  }
}

// The honest test: create a CUDA session (listSupportedBackends() lists cuda even when it cannot load).
const status = (await new DeviceSelector("cuda").probe()).cuda;
if (status.status === "available") {
  console.log(
    "gpu:install: CUDA works. Start with SWITCHYARD_INFERENCE_DEVICE=auto (or cuda); check with `npx tsx bench/inference/devices.ts`",
  );
  process.exit(0);
}
console.error(
  `gpu:install: the provider is installed but a CUDA session does not start: ${status.reason}\n  (${status.error})`,
);
console.error("gpu:install: the server falls back to CPU and shows this reason in /api/health and the console");
process.exit(2);
