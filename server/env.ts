import { z } from "zod";

/** Validated environment. Every variable is documented in the README. */
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url({ message: "DATABASE_URL must be a postgresql:// URL" }).optional(),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(8, "ADMIN_PASSWORD must be at least 8 characters").optional(),
  SWITCHYARD_ADMIN_API_KEY: z.string().min(24, "SWITCHYARD_ADMIN_API_KEY must be at least 24 characters").optional(),
  SWITCHYARD_MASTER_KEY: z.string().min(32, "SWITCHYARD_MASTER_KEY must be at least 32 characters").optional(),
  SWITCHYARD_DATA_DIR: z.string().default(".switchyard"),
  SWITCHYARD_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** Sign-in attempts per (e-mail, address) and per address before growing delays (server/auth/sign-in-throttle.ts). */
  SWITCHYARD_SIGNIN_ACCOUNT_BURST: z.coerce.number().int().min(1).max(1000).default(5),
  SWITCHYARD_SIGNIN_ADDRESS_BURST: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Comma-separated addresses/CIDRs whose X-Forwarded-For is believed (server/auth/client-address.ts). */
  SWITCHYARD_TRUSTED_PROXIES: z.string().default(""),
  /** /metrics without its token: only when explicitly "true". */
  SWITCHYARD_METRICS_PUBLIC: z
    .enum(["true", "false"], { message: "SWITCHYARD_METRICS_PUBLIC must be true or false" })
    .default("false"),
  SWITCHYARD_METRICS_TOKEN: z.string().optional(),
  /** Generated secrets (master key, auth secret, admin password, metrics token); default: beside the data directory. */
  SWITCHYARD_SECRETS_DIR: z.string().optional(),
});

export type Env = z.infer<typeof schema>;

/** Parses process.env on each call (cheap), so scripts may set variables first. Empty strings count as unset. */
export function env(): Env {
  const present = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
