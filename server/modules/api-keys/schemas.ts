import { z } from "zod";
import { apiKeyName } from "@/lib/api-key-form";
import { SCOPES } from "@/lib/scopes";
import { BUDGET_PERIODS } from "@/server/auth/principal";
import type { FieldIssue } from "@/server/errors";

const wholePositive = (what: string, max: number) =>
  z
    .number({ message: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .positive(`${what} must be at least 1`)
    .max(max, `${what} must be at most ${max.toLocaleString("en")}`)
    .nullable();

/** A key's limits; null = unlimited. No defaults here: an update changes only what it is sent. */
const keyLimitsFields = {
  requestsPerMinute: wholePositive("Requests per minute", 1_000_000),
  tokensPerMinute: wholePositive("Tokens per minute", 1_000_000_000),
  budgetUsd: z
    .number({ message: "Budget must be a number" })
    .min(0.000001, "Budget must be more than $0 (at least $0.000001)")
    .max(1_000_000_000, "Budget must be at most $1,000,000,000")
    .nullable(),
  budgetPeriod: z.enum(BUDGET_PERIODS, { message: "Budget period must be day, week or month" }).nullable(),
};

type LimitsShape = { budgetUsd: number | null; budgetPeriod: string | null };

/** The budget and its period come together or not at all: what is wrong with `value`, as a field issue. */
export function budgetProblem(value: LimitsShape): FieldIssue | null {
  if (value.budgetUsd !== null && value.budgetPeriod === null)
    return { path: "budgetPeriod", message: "Choose the period the budget resets on" };
  if (value.budgetUsd === null && value.budgetPeriod !== null)
    return { path: "budgetUsd", message: "Set the budget for this period, or no period" };
  return null;
}

export const createApiKeyInput = z
  .object({
    name: apiKeyName,
    scopes: z
      .array(z.enum(SCOPES, { message: `Unknown scope; valid scopes: ${SCOPES.join(", ")}` }))
      .min(1, "Choose at least one scope"),
    expiresInDays: z.number().int().min(1).max(3650).nullable().default(null),
    requestsPerMinute: keyLimitsFields.requestsPerMinute.default(null),
    tokensPerMinute: keyLimitsFields.tokensPerMinute.default(null),
    budgetUsd: keyLimitsFields.budgetUsd.default(null),
    budgetPeriod: keyLimitsFields.budgetPeriod.default(null),
  })
  .superRefine((value, ctx) => {
    const problem = budgetProblem(value);
    if (problem) ctx.addIssue({ code: "custom", path: [problem.path], message: problem.message });
  });

/**
 * Changes the limits it is sent (null = no limit) and keeps the others. The budget/period pairing is checked
 * against the key's stored limits, in the service.
 */
export const updateApiKeyLimitsInput = z
  .object({ id: z.string().uuid("id must be a UUID"), ...keyLimitsFields })
  .partial({
    requestsPerMinute: true,
    tokensPerMinute: true,
    budgetUsd: true,
    budgetPeriod: true,
  })
  // Sent together (as the console does), the pair is checked here, beside the other fields' problems; sent
  // alone, against what is stored, in the service.
  .superRefine((value, ctx) => {
    if (value.budgetUsd === undefined || value.budgetPeriod === undefined) return;
    const problem = budgetProblem({ budgetUsd: value.budgetUsd, budgetPeriod: value.budgetPeriod });
    if (problem) ctx.addIssue({ code: "custom", path: [problem.path], message: problem.message });
  });

export const apiKeyIdInput = z.object({ id: z.string().uuid("id must be a UUID") });

export const apiKeySummary = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.date(),
  createdBy: z.string().nullable(),
  lastUsedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  requestsPerMinute: z.number().nullable(),
  tokensPerMinute: z.number().nullable(),
  budgetUsd: z.number().nullable(),
  budgetPeriod: z.enum(BUDGET_PERIODS).nullable(),
});

/** A limited key's counters now (keys without limits are not counted). Per-minute figures are sliding-window estimates. */
export const apiKeyUsage = z.object({
  id: z.string(),
  requestsPerMinute: z.number(),
  tokensPerMinute: z.number(),
  /** USD spent in the current budget period (0 without a budget). */
  spentUsd: z.number(),
  /** When the budget period resets; null without a budget. */
  periodEndsAt: z.date().nullable(),
});

export const createdApiKey = apiKeySummary.extend({
  /** The whole key: returned once, at creation, and never again. */
  key: z.string(),
});
