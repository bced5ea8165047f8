import path from "node:path";
import { z } from "zod";

/**
 * Validated environment. Read lazily (not at import) so scripts and tests can
 * set variables first. Every variable is documented in the README.
 */
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url({ message: "DATABASE_URL must be a postgresql:// URL" }).optional(),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(8, "ADMIN_PASSWORD must be at least 8 characters").optional(),
  SWITCHYARD_ADMIN_API_KEY: z.string().min(24, "SWITCHYARD_ADMIN_API_KEY must be at least 24 characters").optional(),
  SWITCHYARD_DATA_DIR: z.string().default(".switchyard"),
  SWITCHYARD_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/** Absolute path of the data directory (embedded Postgres, artifacts, secrets). */
export function dataDir(): string {
  return path.resolve(process.cwd(), env().SWITCHYARD_DATA_DIR);
}

/** For tests that change process.env between cases. */
export function resetEnvCache() {
  cached = undefined;
}
