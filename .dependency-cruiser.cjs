/**
 * The architecture's boundaries, checked by `npm test` (`npm run lint:deps`).
 * What each rule protects is in the README ("How the pieces fit").
 */
const fs = require("node:fs");
const path = require("node:path");

/**
 * Which domain modules each module may import (server/modules/<name>/).
 * Kept acyclic (checked below): a module sits above everything it imports.
 * Tests and `testing/` helpers are exempt: an integration test may drive
 * several modules together.
 */
const MODULE_DEPS = {
  audit: [],
  guardrails: [],
  inference: [],
  providers: [],
  jobs: ["audit"],
  "request-log": ["jobs"],
  feedback: [],
  sessions: ["request-log"],
  "api-keys": ["audit"],
  members: ["api-keys", "audit"],
  projects: ["audit"],
  users: ["audit", "projects"],
  artifacts: ["audit", "inference"],
  files: ["artifacts"],
  health: ["inference"],
  models: ["artifacts", "audit", "inference", "providers", "releases"],
  prompts: ["audit", "models", "releases"],
  routes: ["audit", "models"],
  experiments: ["audit", "models", "prompts"],
  // request-log: "add to dataset" reads logged requests (from-requests.ts).
  datasets: ["artifacts", "audit", "guardrails", "inference", "jobs", "models", "request-log"],
  runs: ["artifacts", "inference", "models", "providers"],
  playground: ["models", "request-log", "runs"],
  schedules: ["audit", "batches", "datasets", "files", "jobs"],
  gateway: [
    "api-keys",
    "experiments",
    "files",
    "guardrails",
    "models",
    "projects",
    "prompts",
    "providers",
    "request-log",
    "rollouts",
    "routes",
    "runs",
  ],
  batches: ["api-keys", "files", "gateway", "jobs", "providers", "request-log", "routes", "runs"],
  // Release policies are read by label and alias moves (prompts, models): plain SQL over eval results, no evals import.
  releases: ["audit"],
  // Rollouts are read by the gateway's label resolution: they must never import the gateway (or evals, batches).
  rollouts: ["audit", "feedback", "jobs", "models", "prompts", "providers", "request-log"],
  // providers: HTTP evaluators call their URL through the upstream client (address policy, timeouts, shares).
  // schedules: a dataset row becomes prompt variables one way (prompt-over-dataset-lines rowVariables).
  // gateway: online evaluation installs a gateway observer (gateway/observers.ts); the gateway never imports evals.
  evals: [
    "audit",
    "batches",
    "datasets",
    "gateway",
    "jobs",
    "models",
    "prompts",
    "providers",
    "request-log",
    "rollouts",
    "schedules",
  ],
  workflows: [
    "audit",
    "batches",
    "datasets",
    "evals",
    "files",
    "jobs",
    "models",
    "prompts",
    // The webhook step posts through the upstream address policy (guardedConnector).
    "providers",
    "releases",
    "rollouts",
    "schedules",
  ],
};

(function assertAcyclic() {
  const state = {};
  const visit = (name, trail) => {
    if (state[name] === "done") return;
    if (state[name] === "visiting") throw new Error(`MODULE_DEPS has a cycle: ${[...trail, name].join(" -> ")}`);
    state[name] = "visiting";
    for (const dep of MODULE_DEPS[name] ?? []) visit(dep, [...trail, name]);
    state[name] = "done";
  };
  for (const name of Object.keys(MODULE_DEPS)) visit(name, []);
})();

const modulesOnDisk = fs
  .readdirSync(path.join(__dirname, "server/modules"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const unlisted = modulesOnDisk.filter((name) => !(name in MODULE_DEPS));
if (unlisted.length) throw new Error(`Add to MODULE_DEPS in .dependency-cruiser.cjs: ${unlisted.join(", ")}`);

const literal = (name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const TESTS = "(\\.test\\.tsx?$|/testing/)";

/** Files under app/ that run in the browser ("use client" first). */
const clientAppFiles = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else if (/\.tsx?$/.test(entry.name) && /^\s*["']use client["']/.test(fs.readFileSync(file, "utf8")))
      clientAppFiles.push(path.relative(__dirname, file));
  }
})(path.join(__dirname, "app"));
const BROWSER = ["^components/", "^lib/", ...clientAppFiles.map((file) => `^${literal(file)}$`)];

module.exports = {
  forbidden: [
    {
      name: "browser-imports-server-runtime",
      comment:
        "Browser code (components/, lib/, 'use client' files in app/) may import types from server/ but no runtime value: browser-safe code lives in lib/.",
      severity: "error",
      from: { path: BROWSER },
      to: { path: "^server/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "lib-is-browser-safe",
      comment: "lib/ is imported by the browser and the server alike: no Node built-ins, no app code.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^(server|components|app)/|^node:", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "lib-no-node-builtins",
      severity: "error",
      from: { path: "^lib/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "server-imports-ui",
      comment: "The server never imports the console's code.",
      severity: "error",
      from: { path: "^server/" },
      to: { path: "^(components|app)/" },
    },
    {
      name: "modules-import-transport",
      comment: "Domain services are plain functions: no tRPC, no Next, no routers (ARCHITECTURE.md, Conventions).",
      severity: "error",
      from: { path: "^server/modules/", pathNot: TESTS },
      to: { path: ["^server/trpc/", "^node_modules/(next|@trpc)/"] },
    },
    {
      name: "production-imports-tests",
      comment: "Test helpers (testing/ folders, *.test.ts) are for tests, benchmarks and the e2e suite only.",
      severity: "error",
      from: {
        path: "^(server|lib|components|app|scripts|prisma)/",
        pathNot: [TESTS, "^scripts/.*\\.int\\.test\\.ts$"],
      },
      to: { path: TESTS },
    },
    ...Object.entries(MODULE_DEPS).map(([name, allowed]) => ({
      name: `module-${name}`,
      comment: `server/modules/${name} may import only these modules: ${allowed.join(", ") || "none"} (MODULE_DEPS).`,
      severity: "error",
      from: { path: `^server/modules/${literal(name)}/`, pathNot: TESTS },
      to: {
        path: "^server/modules/[^/]+/",
        pathNot: `^server/modules/(${[name, ...allowed].map(literal).join("|")})/`,
      },
    })),
  ],
  options: {
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|server/generated|\\.next)/" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
