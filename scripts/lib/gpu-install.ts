// What `npm run gpu:install` hands onnxruntime-node's own installer, apart from running it (testable).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The installer's environment: `ONNXRUNTIME_NODE_INSTALL_CUDA=v12` forces the CUDA 12 provider download
 * (node_modules/onnxruntime-node/script/install-utils.js). Left out on purpose: `ONNXRUNTIME_NODE_INSTALL`
 * (it would take precedence; `cuda12` there reads as "not specified" in 1.30) and npm's
 * `npm_config_local_prefix` / `npm_package_json`, which `npm run` sets and which make the installer think it
 * is onnxruntime's own checkout and exit without doing anything.
 */
export function installerEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    if (/^(ONNXRUNTIME_NODE_INSTALL|npm_config_onnxruntime_node_install)/i.test(key)) continue;
    if (key === "npm_config_local_prefix" || key === "npm_package_json") continue;
    out[key] = value;
  }
  out.ONNXRUNTIME_NODE_INSTALL_CUDA = "v12";
  return out;
}

/** The CUDA provider is downloaded only for Linux x64; other platforms bundle what they support (or nothing). */
export function platformProblem(platform: string, arch: string): string | null {
  if (platform === "linux" && arch === "x64") return null;
  return `onnxruntime-node installs a CUDA provider on Linux x64 only, not on ${platform}/${arch}; use SWITCHYARD_INFERENCE_DEVICE=webgpu where a WebGPU adapter exists`;
}

/** CUDA 12 and cuDNN 9 runtime libraries the provider loads, and which of them the dynamic loader cannot find. */
const CUDA_LIBRARIES = ["libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcufft.so.11", "libcudnn.so.9"];

export function missingLibraries(env: NodeJS.ProcessEnv = process.env): string[] {
  let cache = "";
  try {
    cache = execFileSync("ldconfig", ["-p"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    // No ldconfig (some containers): LD_LIBRARY_PATH is all there is to look in.
  }
  const dirs = (env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean);
  return CUDA_LIBRARIES.filter(
    (lib) => !cache.includes(`${lib} `) && !dirs.some((dir) => existsSync(path.join(dir, lib))),
  );
}
