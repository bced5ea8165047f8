import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end tests drive Debian's Chromium (no browser download here) against
 * the app started exactly as `npm start` starts it, on a fresh embedded
 * PostgreSQL in .switchyard/e2e.
 */
const chromium = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  throw new Error(
    `No Chromium at ${chromium}. Install one with 'apt-get install -y chromium' or set PLAYWRIGHT_CHROMIUM_PATH to a Chromium binary.`,
  );
}

const port = Number(process.env.E2E_PORT ?? 3100);
/**
 * E2E_DEV=1 runs the specs against Next's dev server (pages compile on first visit) instead of a production
 * build: quicker to iterate on one spec, slower per page, so the timeouts grow. `npm test` never sets it.
 */
const dev = process.env.E2E_DEV === "1";
export const E2E_ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password" };
/** /metrics needs its token (SWITCHYARD_METRICS_TOKEN). */
export const E2E_METRICS_TOKEN = "e2e-metrics-token-0123456789";

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: dev ? 240_000 : 60_000,
  expect: { timeout: dev ? 60_000 : 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    // Auth.js checks the callback origin: use localhost, not 127.0.0.1.
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], viewport: { width: 1360, height: 860 } } }],
  webServer: {
    command: `rm -rf .switchyard/e2e && node scripts/run.mjs scripts/start.ts${dev ? " --dev" : ""}`,
    url: `http://localhost:${port}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      SWITCHYARD_DATA_DIR: ".switchyard/e2e",
      SWITCHYARD_PG_PORT: String(Number(process.env.E2E_PG_PORT ?? 54339)),
      PORT: String(port),
      HOST: "127.0.0.1",
      ADMIN_EMAIL: E2E_ADMIN.email,
      ADMIN_PASSWORD: E2E_ADMIN.password,
      DATABASE_URL: "",
      // The specs register fake upstreams on loopback, which upstream calls may not reach unless allowed.
      SWITCHYARD_UPSTREAM_ALLOW: "127.0.0.1",
      SWITCHYARD_METRICS_TOKEN: E2E_METRICS_TOKEN,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
