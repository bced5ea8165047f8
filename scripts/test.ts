/**
 * `npm test`: every check, in order, stopping at the first failure:
 * type check, lint (import cycles included), the boundaries between layers
 * and modules (.dependency-cruiser.cjs), unused files, exports and
 * dependencies (knip), unmigrated-schema check, unit, integration (real
 * PostgreSQL), faults (kill -9, SIGTERM, Postgres outages, two replicas behind
 * HAProxy), then end-to-end in Chromium against a production build.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const reportDir = mkdtempSync(path.join(tmpdir(), "switchyard-test-"));
const steps: [string, string[]][] = [
  ["type check", ["npx", "tsc", "--noEmit", "-p", "."]],
  ["lint", ["npx", "biome", "check", "."]],
  [
    "boundaries",
    ["npx", "depcruise", "server", "lib", "components", "app", "scripts", "prisma", "--output-type", "err"],
  ],
  ["unused code", ["npx", "knip", "--no-progress"]],
  ["migrations match schema.prisma", ["npx", "tsx", "scripts/db.ts", "check"]],
  ["unit tests", ["npx", "vitest", "run", "--project", "unit", ...vitestReport("unit")]],
  ["integration tests", ["npx", "vitest", "run", "--project", "int", ...vitestReport("int")]],
  ["fault tests", ["npx", "vitest", "run", "--project", "faults", ...vitestReport("faults")]],
  ["end-to-end tests", ["npx", "playwright", "test"]],
];

/**
 * Vitest exits 0 when its global setup throws (e.g. the test Postgres cannot start) and no test runs: each
 * vitest step also writes a JSON report, and the step passes only if it ran tests and none failed.
 */
function vitestReport(name: string): string[] {
  return ["--reporter=default", "--reporter=json", `--outputFile.json=${reportPath(name)}`];
}
function reportPath(name: string) {
  return path.join(reportDir, `${name}.json`);
}
function reportProblem(name: string): string | null {
  let report: { numTotalTests?: number; numFailedTests?: number; success?: boolean };
  try {
    report = JSON.parse(readFileSync(reportPath(name), "utf8"));
  } catch {
    return "vitest wrote no report";
  }
  if (!report.numTotalTests) return "no test ran";
  if (report.numFailedTests || !report.success) return `${report.numFailedTests ?? "some"} test(s) failed`;
  return null;
}

const only = process.argv.slice(2);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };
const results: [string, boolean, number][] = [];
for (const [name, command] of steps) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  console.log(`\n▶ ${name}: ${command.join(" ")}`);
  const started = Date.now();
  const run = spawnSync(command[0], command.slice(1), { stdio: "inherit", env });
  const vitestStep =
    name === "unit tests" ? "unit" : name === "integration tests" ? "int" : name === "fault tests" ? "faults" : null;
  const problem = run.status === 0 && vitestStep ? reportProblem(vitestStep) : null;
  if (problem) console.error(`\n✗ ${name}: ${problem} (vitest itself exited 0)`);
  const ok = run.status === 0 && !problem;
  results.push([name, ok, (Date.now() - started) / 1000]);
  if (!ok) break;
}
console.log("\nSummary");
for (const [name, ok, seconds] of results) console.log(`  ${ok ? "✓" : "✗"} ${name} (${seconds.toFixed(1)} s)`);
const failed = results.filter(([, ok]) => !ok).length;
rmSync(reportDir, { recursive: true, force: true });
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
