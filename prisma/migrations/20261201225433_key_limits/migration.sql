-- Per-key limits (requests/min, tokens/min, a spend budget per UTC period), the
-- counters every gateway replica shares, and the project's body-logging privacy
-- setting. Enforced by server/modules/gateway/key-limits.ts.
--
-- Two counter tables rather than one with a kind column: the minute rows are hot
-- (one upsert per limited request, tokens added after) and die after two minutes,
-- the day rows are written once per flush and live for a month. Separate tables
-- keep the hot one tiny, give each a plain primary key, and make pruning a range
-- delete. Spend is counted per UTC day and a period's spend is the SUM of its days
-- (at most 31 rows), so changing a key's period (day -> month) is right at once.
-- No foreign keys: counting must never fail because a key was deleted.

-- CreateEnum
CREATE TYPE "BodyLogging" AS ENUM ('none', 'masked', 'full');

-- CreateEnum
CREATE TYPE "BudgetPeriod" AS ENUM ('day', 'week', 'month');

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "budget_period" "BudgetPeriod",
ADD COLUMN     "budget_usd" DECIMAL(16,6),
ADD COLUMN     "requests_per_minute" INTEGER,
ADD COLUMN     "tokens_per_minute" INTEGER;

-- Prisma cannot declare CHECK constraints; its diff ignores them.
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_limits_positive" CHECK (
    ("requests_per_minute" IS NULL OR "requests_per_minute" > 0)
    AND ("tokens_per_minute" IS NULL OR "tokens_per_minute" > 0)
    AND ("budget_usd" IS NULL OR "budget_usd" > 0)
);
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_budget_with_period" CHECK (
    ("budget_usd" IS NULL) = ("budget_period" IS NULL)
);

-- AlterTable
ALTER TABLE "projects" ADD COLUMN     "request_body_logging" "BodyLogging" NOT NULL DEFAULT 'none';

-- CreateTable
CREATE TABLE "gateway_rate_counters" (
    "api_key_id" UUID NOT NULL,
    "window_start" TIMESTAMPTZ(0) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "tokens" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "gateway_rate_counters_pkey" PRIMARY KEY ("api_key_id","window_start")
);

-- CreateTable
CREATE TABLE "gateway_spend_counters" (
    "api_key_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "cost_usd" DECIMAL(18,8) NOT NULL DEFAULT 0,

    CONSTRAINT "gateway_spend_counters_pkey" PRIMARY KEY ("api_key_id","day")
);
