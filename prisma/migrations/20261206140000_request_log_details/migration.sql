-- What the request log and the cost see of tool-calling, cached and reasoning
-- traffic (issue 13). Hand-written, like every change to request_log.
--
-- request_log is partitioned (one partition per UTC day plus
-- request_log_default): ADD COLUMN on the parent reaches every partition, and
-- nullable columns without a default change only the catalog, so no partition
-- is rewritten and the log writer waits only for the brief lock. The columns
-- append at the end of the parent and of every partition alike, so
-- request_log_maintain()'s `INSERT INTO <day> SELECT * FROM <rows moved out of
-- the default partition>` (day tables are built `LIKE request_log`) still lines
-- columns up. Rows written before this migration read NULL: not recorded.

ALTER TABLE "request_log"
    ADD COLUMN "finish_reason" TEXT,
    ADD COLUMN "tool_names" TEXT[],
    ADD COLUMN "cached_tokens" INTEGER,
    ADD COLUMN "cache_write_tokens" INTEGER,
    ADD COLUMN "reasoning_tokens" INTEGER,
    ADD COLUMN "modalities" TEXT[];

-- Prompt-cache prices per 1M input tokens; NULL prices those tokens at the
-- input price (server/modules/runs/cost.ts).
ALTER TABLE "models"
    ADD COLUMN "price_cached_input_per_mtok" DECIMAL(18,8),
    ADD COLUMN "price_cache_write_per_mtok" DECIMAL(18,8);
