import { defineConfig } from "prisma/config";

// The CLI is used only for `prisma generate` (offline). Migrations are created
// and applied by scripts/db.ts through Prisma's WebAssembly schema engine.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/switchyard" },
});
