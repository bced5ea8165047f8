/**
 * Keeping a decoder's state (KV cache, conv state) on the device between steps.
 *
 * onnxruntime-node (1.30) binds outputs through IO binding when a session is created with
 * `preferredOutputLocation`; a `gpu-buffer` output comes back as a Tensor whose data stays on the device and
 * can be fed straight back as an input. The binding allocates those outputs with WebGPU's memory info
 * ("WebGPU_Buf"), so only the WebGPU provider can use it: a CUDA session keeps returning its state to the
 * CPU each step (asking for `gpu-buffer` there fails at run time), and CPU has nothing to move.
 *
 * Device tensors are freed with `dispose()`, not by the garbage collector in time: each step disposes the state
 * it replaced (it was the step's input, now consumed), and a decoder dropped mid-sequence has its last state
 * disposed when it is collected.
 */
import type { InferenceSession, Tensor } from "onnxruntime-node";
import type { Device } from "./types";

/** The outputs the sampler reads on the CPU; every other output is state fed back to the next step. */
const READ_ON_CPU = new Set(["logits"]);

/**
 * Extra session options for `device` given the model's output names: on WebGPU, the logits to the CPU and
 * every state output (`present*`) kept in a GPU buffer. Empty where nothing would stay on the device.
 */
export function sessionOptionsFor(
  device: Device,
  outputNames: readonly string[],
): Pick<InferenceSession.SessionOptions, "preferredOutputLocation"> {
  if (device !== "webgpu") return {};
  const state = outputNames.filter((name) => !READ_ON_CPU.has(name));
  if (state.length === 0) return {};
  const locations: Record<string, "cpu" | "gpu-buffer"> = {};
  for (const name of outputNames) locations[name] = READ_ON_CPU.has(name) ? "cpu" : "gpu-buffer";
  return { preferredOutputLocation: locations };
}

/** Disposes the tensors that live on a device (a CPU tensor is the garbage collector's). */
export function disposeState(tensors: Record<string, Tensor> | null | undefined): void {
  if (!tensors) return;
  for (const tensor of Object.values(tensors)) {
    if (tensor.location !== "cpu" && tensor.location !== "none") tensor.dispose();
  }
}

interface Held {
  tensors: Record<string, Tensor> | null;
}
const held = new WeakMap<object, Held>();
// A decoder dropped without finishing (an aborted request) still holds its last state: free it when collected.
const leftOver = new FinalizationRegistry<Held>((h) => disposeState(h.tensors));

/**
 * The decoder's step: `next` replaces `previous` as `owner`'s state. Device tensors of `previous` are disposed
 * and `next` is held for disposal when `owner` is collected; CPU state passes through untouched.
 */
export function replaceState(
  owner: object,
  previous: Record<string, Tensor> | null,
  next: Record<string, Tensor>,
): Record<string, Tensor> {
  const first = Object.values(next)[0];
  if (!first || first.location === "cpu") return next;
  disposeState(previous);
  let h = held.get(owner);
  if (!h) {
    h = { tensors: null };
    held.set(owner, h);
    leftOver.register(owner, h);
  }
  h.tensors = next;
  return next;
}
