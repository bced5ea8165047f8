-- The device (cpu, cuda, webgpu) that ran a gateway request on the in-process
-- engine (issue 18), so "Compare models" shows the device of gateway traffic,
-- not only of playground runs. Hand-written, like every change to request_log:
-- nullable and without a default, ADD COLUMN on the partitioned parent changes
-- only the catalog (no partition is rewritten) and appends to the parent and
-- every partition alike (request_log_maintain()'s SELECT * still lines up).
-- Rows written before it read NULL; upstream requests keep NULL (their
-- `deployment` says which upstream served them).

ALTER TABLE "request_log" ADD COLUMN "device" TEXT;
