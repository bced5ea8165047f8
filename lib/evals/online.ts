// Online evaluation rules (browser-safe: the console's forms, REST and tRPC share these).
import { z } from "zod";

/** Which live requests a rule looks at; every field given must match. */
export const onlineRuleFilterSchema = z
  .object({
    /** The requested model: exactly (`support-bot@staging`) or by its name (`support-bot` matches `support-bot@2`). */
    model: z.string().trim().min(1, "filter.model must not be empty").max(200).optional(),
    /** A managed prompt: requests served by any of its versions. */
    promptId: z.uuid("filter.promptId must be a UUID").optional(),
    /** A gateway path: /v1/chat/completions, /v1/completions, /v1/messages or /v1/responses. */
    path: z.enum(["/v1/chat/completions", "/v1/completions", "/v1/messages", "/v1/responses"]).optional(),
  })
  .strict();
export type OnlineRuleFilter = z.output<typeof onlineRuleFilterSchema>;

const sampleRate = z
  .number({ error: "sampleRate must be a number from 0 to 1" })
  .min(0, "sampleRate must be at least 0")
  .max(1, "sampleRate must be at most 1");

const ruleName = z.string().trim().min(1, "name must not be empty").max(100, "name must be at most 100 characters");

export const createOnlineRuleSchema = z
  .object({
    name: ruleName,
    /** An exact evaluator version, or an evaluator's name (its newest version). */
    evaluatorVersionId: z.uuid("evaluatorVersionId must be a UUID").optional(),
    evaluatorName: z.string().trim().min(1).max(200).optional(),
    sampleRate,
    filter: onlineRuleFilterSchema.default({}),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((r) => r.evaluatorVersionId || r.evaluatorName, {
    message: "Name an evaluator (evaluatorName) or an evaluator version (evaluatorVersionId)",
    path: ["evaluatorVersionId"],
  });
export type CreateOnlineRule = z.output<typeof createOnlineRuleSchema>;

export const updateOnlineRuleSchema = z
  .object({
    id: z.uuid("id must be a UUID"),
    name: ruleName.optional(),
    evaluatorVersionId: z.uuid("evaluatorVersionId must be a UUID").optional(),
    sampleRate: sampleRate.optional(),
    filter: onlineRuleFilterSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const onlineRuleOut = z.object({
  id: z.string(),
  name: z.string(),
  evaluatorVersionId: z.string(),
  evaluatorName: z.string(),
  evaluatorVersion: z.number(),
  evaluatorType: z.string(),
  sampleRate: z.number(),
  filter: onlineRuleFilterSchema,
  enabled: z.boolean(),
  createdByLabel: z.string(),
  createdAt: z.date(),
});
export type OnlineRuleOut = z.infer<typeof onlineRuleOut>;

/** The monitoring page's window (its range picker). */
export const onlineStatsInput = z
  .object({
    from: z.coerce.date({ error: "from must be a date" }),
    to: z.coerce.date({ error: "to must be a date" }),
    /** One rule, or every rule of the project. */
    ruleId: z.uuid("ruleId must be a UUID").optional(),
  })
  .strict()
  .refine((w) => w.from < w.to, { message: "from must be before to", path: ["from"] })
  .refine((w) => w.to.getTime() - w.from.getTime() <= 92 * 86_400_000, {
    message: "The window may span at most 92 days",
    path: ["from"],
  });

const aggregate = z.object({ n: z.number(), meanScore: z.number().nullable(), passRate: z.number().nullable() });

export const onlineStatsOut = z.object({
  from: z.date(),
  to: z.date(),
  bucketSeconds: z.number(),
  rules: z.array(
    z.object({
      ruleId: z.string(),
      name: z.string(),
      enabled: z.boolean(),
      sampleRate: z.number(),
      evaluatorName: z.string(),
      totals: aggregate.extend({ costUsd: z.number() }),
      series: z.array(aggregate.extend({ at: z.date() })),
      byModelVersion: z.array(aggregate.extend({ id: z.string().nullable(), label: z.string() })),
      byPromptVersion: z.array(aggregate.extend({ id: z.string().nullable(), label: z.string() })),
    }),
  ),
});
export type OnlineStats = z.infer<typeof onlineStatsOut>;
