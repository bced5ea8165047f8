-- AlterTable
ALTER TABLE "experiments" ADD COLUMN     "planned_units_per_arm" INTEGER;
