-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN     "onnx_variant" TEXT;
