import { z } from "zod";
import type { ProjectDeps } from "@/server/modules/deps";
import { getInferenceEngine } from "@/server/modules/inference/engine";

/** In the order the engine tries them under `auto`, CPU first here: it always works. */
const DEVICES = ["cpu", "cuda", "webgpu"] as const;

const deviceStatus = z.object({
  status: z.enum(["available", "unavailable", "untried"]),
  /** onnxruntime's own message. */
  error: z.string().nullable(),
  /** Why, in plain words, with what fixes it. */
  reason: z.string().nullable(),
});

export const inferenceDevicesView = z.object({
  /** SWITCHYARD_INFERENCE_DEVICE: auto, cpu, cuda or webgpu. */
  preference: z.string(),
  devices: z.array(deviceStatus.extend({ device: z.enum(DEVICES) })),
  memory: z.object({ budgetBytes: z.number(), usedBytes: z.number() }),
  models: z.array(
    z.object({
      /** This project's registry versions on the artifact (`support-bot@2`, ...); empty: another project's model. */
      names: z.array(z.string()),
      modelId: z.string().nullable(),
      device: z.enum(DEVICES),
      sizeBytes: z.number(),
      running: z.number().int(),
      waiting: z.number().int(),
      /** Sequences that decode together (1: one at a time, `notBatched` says why) and the mean batch so far. */
      maxBatch: z.number().int(),
      notBatched: z.string().nullable(),
      meanBatch: z.number().nullable(),
      loadedAt: z.string(),
      lastUsedAt: z.string(),
    }),
  ),
});
export type InferenceDevicesView = z.infer<typeof inferenceDevicesView>;

/**
 * The in-process engine as a project sees it: each provider with the reason it is unavailable (tried once
 * per process: the first call probes the providers the preference allows), the memory budget, and the loaded
 * models by this project's registry names. A model loaded for another project shows its device and size (it
 * takes the same memory) but not its name.
 */
export async function inferenceDevices(deps: ProjectDeps): Promise<InferenceDevicesView> {
  const report = await getInferenceEngine().probeDevices();
  // Entries are keyed by the artifact's sha256, `#variant` for a pinned decoder, `encoder:` for an encoder.
  const shaOf = (key: string) => key.replace(/^encoder:/, "").split("#")[0];
  const keys = [...new Set(report.models.map((m) => shaOf(m.key)))];
  const versions =
    keys.length === 0
      ? []
      : await deps.db.modelVersion.findMany({
          where: { model: { projectId: deps.caller.projectId }, artifact: { sha256: { in: keys } } },
          select: {
            version: true,
            model: { select: { id: true, name: true } },
            artifact: { select: { sha256: true } },
          },
          orderBy: [{ model: { name: "asc" } }, { version: "asc" }],
        });
  return {
    preference: report.preference,
    devices: DEVICES.map((device) => {
      const s = report.devices[device];
      return { device, status: s.status, error: s.error ?? null, reason: s.reason ?? null };
    }),
    memory: report.memory,
    models: report.models.map((m) => {
      const ours = versions.filter((v) => v.artifact?.sha256 === shaOf(m.key));
      return {
        names: ours.map((v) => `${v.model.name}@${v.version}`),
        modelId: ours[0]?.model.id ?? null,
        device: m.device,
        sizeBytes: m.sizeBytes,
        running: m.running,
        waiting: m.waiting,
        maxBatch: m.maxBatch,
        notBatched: m.notBatched,
        meanBatch: m.steps > 0 ? Math.round((m.stepRows / m.steps) * 100) / 100 : null,
        loadedAt: m.loadedAt,
        lastUsedAt: m.lastUsedAt,
      };
    }),
  };
}
