/**
 * Why a GPU provider cannot start, in words a user can act on. onnxruntime's own messages name a source
 * file and a lambda ("webgpu_context.cc:136 ... Failed to get a WebGPU adapter") or only "Failed to load
 * shared library"; the reason says what is missing and the command or document that fixes it. The raw
 * message stays beside it (DeviceStatus.error).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Device } from "./types";

/** Where onnxruntime-node keeps its native libraries; `npm run gpu:install` puts the CUDA provider there. */
export function onnxruntimeBinDir(root = process.cwd()): string {
  return path.join(root, "node_modules", "onnxruntime-node", "bin", "napi-v6", process.platform, process.arch);
}

/** Whether the CUDA provider library is installed (it is not bundled in the npm package). */
export function cudaProviderInstalled(root = process.cwd()): boolean {
  const file = process.platform === "win32" ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so";
  return existsSync(path.join(onnxruntimeBinDir(root), file));
}

export function reasonFor(device: Device, message: string, root = process.cwd()): string {
  if (device === "cuda") {
    if (!cudaProviderInstalled(root)) {
      return "the CUDA provider is not installed: run `npm run gpu:install` (Linux x64, CUDA 12, cuDNN 9)";
    }
    if (/load shared library|cannot open shared object|libcu|cudnn/i.test(message)) {
      return "the CUDA provider is installed but CUDA 12 / cuDNN 9 libraries (libcudart.so.12, libcublas.so.12, libcudnn.so.9) could not be loaded: install them or add them to LD_LIBRARY_PATH";
    }
    if (/no CUDA-capable device|CUDA driver|cudaErrorNoDevice|cudaErrorInsufficientDriver/i.test(message)) {
      return "no usable NVIDIA GPU: no CUDA-capable device, or a driver older than CUDA 12 needs";
    }
    return "the CUDA provider could not start";
  }
  if (device === "webgpu") {
    if (/WebGPU adapter|RequestAdapter|vulkan/i.test(message)) {
      return "no WebGPU adapter: needs a Vulkan-capable GPU and its driver (libvulkan.so.1) on Linux, Direct3D 12 on Windows, Metal on macOS";
    }
    if (/not supported|unsupported|is unsupported/i.test(message)) {
      return "this onnxruntime-node build has no WebGPU provider for this platform";
    }
    return "the WebGPU provider could not start";
  }
  return "the CPU provider could not start";
}
