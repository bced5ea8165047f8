// Three projects: `unit` (*.test.ts, no I/O), `int` (*.int.test.ts, real
// Postgres) and `faults` (*.fault.test.ts: processes killed, Postgres stopped,
// replicas behind a load balancer). Run one with `vitest run --project unit|int|faults`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
const notSources = ["**/node_modules/**", "e2e/**", ".next/**", ".switchyard/**", "server/generated/**"];

export default defineConfig({
  // Same alias as tsconfig.json's "@/*": ["./*"]. A regex so "@prisma/..." is untouched.
  resolve: { alias: [{ find: /^@\//, replacement: root }] },
  test: {
    // next-auth imports "next/server" without an extension, which Node's ESM loader refuses outside Next: let Vite resolve it.
    server: { deps: { inline: ["next-auth"] } },
    // Zod messages in words, as the app installs them through server/errors.ts: the same in every test file.
    setupFiles: ["lib/validation-messages.ts"],
    env: {
      CHECKPOINT_DISABLE: "1",
      SWITCHYARD_MASTER_KEY: "test-master-key-0123456789abcdef0123",
      // Tests call fake upstreams (and gateways) on loopback, which upstream calls may not reach by default.
      SWITCHYARD_UPSTREAM_ALLOW: "127.0.0.0/8,::1,localhost",
    },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: [...notSources, "**/*.int.test.ts", "**/*.fault.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "int",
          include: ["**/*.int.test.ts"],
          exclude: notSources,
          globalSetup: ["server/testing/global-setup.ts"],
          // Files run in parallel, each in its own process and database. Two
          // workers for two cores: Postgres needs CPU too.
          pool: "forks",
          maxWorkers: 2,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "faults",
          include: ["**/*.fault.test.ts"],
          exclude: notSources,
          globalSetup: ["server/testing/global-setup.ts"],
          // One file at a time: each starts gateways, load and outages of its own, and measures what was lost.
          pool: "forks",
          maxWorkers: 1,
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
