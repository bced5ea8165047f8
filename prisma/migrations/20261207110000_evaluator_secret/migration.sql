-- AlterTable
ALTER TABLE "evaluators" ADD COLUMN     "secret_ciphertext" TEXT;
