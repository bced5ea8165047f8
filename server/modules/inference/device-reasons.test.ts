import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { onnxruntimeBinDir, reasonFor } from "./device-reasons";

// onnxruntime's first lines as this machine (no GPU, no Vulkan) gives them.
const CUDA_MISSING = "OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library";
const NO_ADAPTER =
  "/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(...) adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported ad";

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

async function projectRoot(withCudaProvider: boolean) {
  const root = await mkdtemp(path.join(tmpdir(), "switchyard-reasons-"));
  roots.push(root);
  await mkdir(onnxruntimeBinDir(root), { recursive: true });
  if (withCudaProvider) await writeFile(path.join(onnxruntimeBinDir(root), "libonnxruntime_providers_cuda.so"), "");
  return root;
}

describe("reasonFor", () => {
  it("points at `npm run gpu:install` when the CUDA provider is not installed", async () => {
    expect(reasonFor("cuda", CUDA_MISSING, await projectRoot(false))).toContain("npm run gpu:install");
  });

  it("names the CUDA 12 / cuDNN 9 libraries when the provider is installed but cannot load them", async () => {
    const reason = reasonFor("cuda", CUDA_MISSING, await projectRoot(true));
    expect(reason).toContain("libcudnn.so.9");
    expect(reason).not.toContain("gpu:install");
  });

  it("says WebGPU needs a Vulkan-capable GPU when there is no adapter", () => {
    expect(reasonFor("webgpu", NO_ADAPTER)).toMatch(/no WebGPU adapter.*Vulkan/);
  });
});
