/**
 * `npm test`: every check, in order, stopping at the first failure:
 * type check, lint, unmigrated-schema check, unit, integration (real
 * PostgreSQL), then end-to-end in Chromium against a production build.
 */
import { spawnSync } from "node:child_process";

const steps: [string, string[]][] = [
  ["type check", ["npx", "tsc", "--noEmit", "-p", "."]],
  ["lint", ["npx", "biome", "check", "."]],
  ["migrations match schema.prisma", ["npx", "tsx", "scripts/db.ts", "check"]],
  ["unit tests", ["npx", "vitest", "run", "--project", "unit"]],
  ["integration tests", ["npx", "vitest", "run", "--project", "int"]],
  ["end-to-end tests", ["npx", "playwright", "test"]],
];

const only = process.argv.slice(2);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };
const results: [string, boolean, number][] = [];
for (const [name, command] of steps) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  console.log(`\n▶ ${name}: ${command.join(" ")}`);
  const started = Date.now();
  const run = spawnSync(command[0], command.slice(1), { stdio: "inherit", env });
  const ok = run.status === 0;
  results.push([name, ok, (Date.now() - started) / 1000]);
  if (!ok) break;
}
console.log("\nSummary");
for (const [name, ok, seconds] of results) console.log(`  ${ok ? "✓" : "✗"} ${name} (${seconds.toFixed(1)} s)`);
const failed = results.filter(([, ok]) => !ok).length;
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
