-- Access follows the current role (issue 14, items 6-8).
-- 1. users.session_version: carried in session cookies and checked on every
--    use; bumped to end every session of a user.
-- 2. api_keys.owner_user_id: the user whose current role caps the key. Keys a
--    user created act for that user; keys minted by another key act for that
--    key's user (followed through the audit log, chains included); keys the
--    system or SWITCHYARD_ADMIN_API_KEY minted act for nobody (null).
-- 3. sign_in_throttle: per-e-mail lockouts become leaky buckets per (e-mail,
--    address) and per address. Its rows are short-lived counters: dropped.

-- AlterTable
ALTER TABLE "users" ADD COLUMN "session_version" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN "owner_user_id" UUID;

UPDATE "api_keys" SET "owner_user_id" = "created_by_id" WHERE "created_by_id" IS NOT NULL;

WITH RECURSIVE "minted_by" AS (
  SELECT a."target_id"::uuid AS "key_id", a."actor_key_id" AS "parent_id"
    FROM "audit_log" a
   WHERE a."action" = 'apiKey.create' AND a."actor_type" = 'api_key' AND a."actor_key_id" IS NOT NULL
), "owner_of" AS (
  SELECT k."id", k."owner_user_id" FROM "api_keys" k WHERE k."owner_user_id" IS NOT NULL
  UNION
  SELECT m."key_id", o."owner_user_id" FROM "minted_by" m JOIN "owner_of" o ON o."id" = m."parent_id"
)
UPDATE "api_keys" k SET "owner_user_id" = o."owner_user_id"
  FROM "owner_of" o
 WHERE o."id" = k."id" AND k."owner_user_id" IS NULL;

-- CreateIndex
CREATE INDEX "api_keys_owner_user_id_idx" ON "api_keys"("owner_user_id");

-- DropTable
DROP TABLE "sign_in_throttle";

-- CreateTable
CREATE TABLE "sign_in_throttle" (
    "key" TEXT NOT NULL,
    "level" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "blocked_until" TIMESTAMPTZ(3),

    CONSTRAINT "sign_in_throttle_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "sign_in_throttle_updated_at_idx" ON "sign_in_throttle"("updated_at");
