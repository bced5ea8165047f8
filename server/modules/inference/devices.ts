import * as ort from "onnxruntime-node";
import { reasonFor } from "./device-reasons";
import { sessionOptionsFor } from "./device-tensors";
import { DataType, onnx } from "./onnx-proto";
import { DEVICE_PREFERENCES } from "./schemas";
import type { Device, DevicePreference } from "./types";

const DEVICE_ENV = "SWITCHYARD_INFERENCE_DEVICE";

// A provider that cannot start is expected on most machines: onnxruntime would log it as an
// error on stderr at every probe. The failure still reaches us as an exception (see status()).
ort.env.logLevel = "fatal";

/** SWITCHYARD_INFERENCE_DEVICE: cpu | cuda | webgpu | auto (default auto). */
export function devicePreferenceFromEnv(value = process.env[DEVICE_ENV]): DevicePreference {
  if (!value) return "auto";
  if ((DEVICE_PREFERENCES as readonly string[]).includes(value)) return value as DevicePreference;
  throw new Error(`${DEVICE_ENV} must be one of ${DEVICE_PREFERENCES.join(", ")}, not '${value}'`);
}

export interface DeviceStatus {
  /** untried: no session has asked for it yet. */
  status: "available" | "unavailable" | "untried";
  /** onnxruntime's own message (first line). */
  error?: string;
  /** Why, in plain words, with what fixes it (device-reasons.ts). */
  reason?: string;
}

export type SessionOptions = ort.InferenceSession.SessionOptions;

const BASE_OPTIONS: SessionOptions = { graphOptimizationLevel: "all", logSeverityLevel: 3 };

/**
 * Picks the execution provider by creating the session and falling back on
 * error: `listSupportedBackends()` lists cuda even when its libraries cannot
 * load, so asking is the only honest test. A provider that failed once is
 * not tried again in this process. CPU always works, so a missing GPU never
 * fails a load; a forced GPU that fails falls back to CPU too, and the
 * reason shows in `status()`.
 */
export class DeviceSelector {
  private readonly statuses: Record<Device, DeviceStatus> = {
    cpu: { status: "untried" },
    cuda: { status: "untried" },
    webgpu: { status: "untried" },
  };

  constructor(readonly preference: DevicePreference = "auto") {}

  private candidates(): Device[] {
    const wanted: Device[] = this.preference === "auto" ? ["cuda", "webgpu", "cpu"] : [this.preference, "cpu"];
    return [...new Set(wanted)].filter((d) => d === "cpu" || this.statuses[d].status !== "unavailable");
  }

  async createSession(
    model: string | Uint8Array,
    options: SessionOptions = {},
  ): Promise<{ session: ort.InferenceSession; device: Device }> {
    let lastError: unknown;
    for (const device of this.candidates()) {
      try {
        const session = await createOn(model, device, options);
        this.statuses[device] = { status: "available" };
        return { session: await this.keepStateOnDevice(model, device, options, session), device };
      } catch (error) {
        lastError = error;
        // A CPU failure is about the model, not the device: let the caller explain it.
        if (device === "cpu") break;
        this.statuses[device] = unavailable(device, error);
        if (device === this.preference) {
          console.warn(
            `inference: ${device} was asked for but cannot start (${reasonFor(device, firstLine(error))}); using cpu`,
          );
        }
      }
    }
    throw lastError;
  }

  /**
   * On a GPU whose binding can keep outputs on the device, the session again with the state outputs kept
   * there (device-tensors.ts): their names are known only once a session exists. If that session cannot be
   * created the plain one serves, as before.
   */
  private async keepStateOnDevice(
    model: string | Uint8Array,
    device: Device,
    options: SessionOptions,
    plain: ort.InferenceSession,
  ): Promise<ort.InferenceSession> {
    const extra = sessionOptionsFor(device, plain.outputNames);
    if (!extra.preferredOutputLocation) return plain;
    try {
      const bound = await createOn(model, device, { ...options, ...extra });
      await plain.release();
      return bound;
    } catch (error) {
      console.warn(
        `inference: ${device} cannot keep the KV cache on the device (${firstLine(error)}); copying it each step`,
      );
      return plain;
    }
  }

  status(): Record<Device, DeviceStatus> {
    return structuredClone(this.statuses);
  }

  /** Tries every provider the preference allows on a one-node graph, so status() is filled before any model loads. */
  async probe(): Promise<Record<Device, DeviceStatus>> {
    const wanted: Device[] = this.preference === "auto" ? ["cuda", "webgpu", "cpu"] : [this.preference, "cpu"];
    for (const device of new Set(wanted)) {
      if (this.statuses[device].status !== "untried") continue;
      try {
        const session = await ort.InferenceSession.create(PROBE_MODEL(), {
          logSeverityLevel: 4,
          executionProviders: [device],
        });
        await session.release();
        this.statuses[device] = { status: "available" };
      } catch (error) {
        this.statuses[device] = unavailable(device, error);
      }
    }
    return this.status();
  }
}

function createOn(model: string | Uint8Array, device: Device, options: SessionOptions) {
  const all = { ...BASE_OPTIONS, ...options, executionProviders: [device] };
  return typeof model === "string" ? ort.InferenceSession.create(model, all) : ort.InferenceSession.create(model, all);
}

function unavailable(device: Device, error: unknown): DeviceStatus {
  const message = firstLine(error);
  return { status: "unavailable", error: message, reason: reasonFor(device, message) };
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .split("\n")[0]
    .slice(0, 300);
}

/** A one-node ONNX model (Relu over float32 [1]): enough to see whether a provider starts. */
function PROBE_MODEL(): Uint8Array {
  const tensor = { elemType: DataType.FLOAT, shape: { dim: [{ dimValue: 1 }] } };
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "probe",
      node: [{ opType: "Relu", input: ["x"], output: ["y"] }],
      input: [{ name: "x", type: { tensorType: tensor } }],
      output: [{ name: "y", type: { tensorType: tensor } }],
    },
  }).finish();
}
