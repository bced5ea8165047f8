import { z } from "zod";

/** Sampling and length parameters of a generation, as a model version's defaults or a caller's overrides. */
export const generationParams = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    topK: z.number().int().min(0).max(1000).optional(),
    topP: z.number().gt(0).max(1).optional(),
    repetitionPenalty: z.number().min(0.5).max(2).optional(),
    maxTokens: z.number().int().min(1).max(32_768).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    stop: z.array(z.string().min(1).max(100)).max(8).optional(),
  })
  .strict();
export type GenerationParams = z.infer<typeof generationParams>;

/** The playground's compared configurations (Run sends them with the one input they share). */
export const playgroundConfigs = z
  .array(z.object({ model: z.string().min(1, "Choose a model").max(200), params: generationParams.default({}) }))
  .min(1, "Choose a model")
  .max(4, "Compare at most four configurations");
