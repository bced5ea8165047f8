-- Versions share example rows instead of copying them. A version's contents
-- become rows of dataset_version_examples (position, split, and a reference
-- to the example row); dataset_examples keeps each distinct example once,
-- owned by the version that wrote it. Imports write their rows with COPY.

-- CreateTable
CREATE TABLE "dataset_version_examples" (
    "version_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "source_version_id" UUID NOT NULL,
    "source_position" INTEGER NOT NULL,
    "split" TEXT,

    CONSTRAINT "dataset_version_examples_pkey" PRIMARY KEY ("version_id","position")
);

-- Existing data: every row becomes a membership row pointing at the first
-- identical row of its dataset (same content, metadata and tokens, earliest
-- version first), so the copies derived versions made are shared from now on.
INSERT INTO "dataset_version_examples" ("version_id", "position", "source_version_id", "source_position", "split")
SELECT e."version_id", e."position",
       first_value(e."version_id") OVER same, first_value(e."position") OVER same,
       e."split"
  FROM "dataset_examples" e
  JOIN "dataset_versions" v ON v."id" = e."version_id"
WINDOW same AS (PARTITION BY v."dataset_id", e."hash", e."tokens", e."example" ORDER BY v."version", e."position");

-- The copies nothing points at any more.
DELETE FROM "dataset_examples" e
 WHERE NOT EXISTS (
   SELECT 1 FROM "dataset_version_examples" m
    WHERE m."source_version_id" = e."version_id" AND m."source_position" = e."position");

-- DropIndex
DROP INDEX "dataset_examples_version_id_split_idx";

-- AlterTable: the split is the version's (membership); search reads the content itself.
ALTER TABLE "dataset_examples" DROP COLUMN "search",
DROP COLUMN "split";

-- CreateIndex
CREATE INDEX "dataset_version_examples_version_id_split_idx" ON "dataset_version_examples"("version_id", "split");

-- CreateIndex
CREATE INDEX "dataset_version_examples_source_version_id_source_position_idx" ON "dataset_version_examples"("source_version_id", "source_position");

-- AddForeignKey
ALTER TABLE "dataset_version_examples" ADD CONSTRAINT "dataset_version_examples_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "dataset_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey: NO ACTION, so a version whose rows others share cannot be deleted alone (a project's cascade still can).
ALTER TABLE "dataset_version_examples" ADD CONSTRAINT "dataset_version_examples_source_version_id_source_position_fkey" FOREIGN KEY ("source_version_id", "source_position") REFERENCES "dataset_examples"("version_id", "position") ON DELETE NO ACTION ON UPDATE CASCADE;

-- Import reports list errors and warnings apart (errorSample, warningSample)
-- instead of one mixed sample. Through REST an empty line, a BOM and CRLF
-- were always warnings and everything else an error.
UPDATE "dataset_versions"
   SET "report" = jsonb_set(
         "report",
         '{issues}',
         (("report"->'issues') - 'sample') || jsonb_build_object(
           'errorSample', COALESCE((SELECT jsonb_agg(i ORDER BY n) FROM jsonb_array_elements("report"->'issues'->'sample') WITH ORDINALITY AS s(i, n)
                                     WHERE i->>'code' NOT IN ('empty_line', 'bom', 'crlf')), '[]'::jsonb),
           'warningSample', COALESCE((SELECT jsonb_agg(i ORDER BY n) FROM jsonb_array_elements("report"->'issues'->'sample') WITH ORDINALITY AS s(i, n)
                                       WHERE i->>'code' IN ('empty_line', 'bom', 'crlf')), '[]'::jsonb)))
 WHERE jsonb_typeof("report"->'issues'->'sample') = 'array';
