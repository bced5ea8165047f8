// Builds a server entry (scripts/start.ts, scripts/gateway.ts) into one ES module under
// node_modules/.cache/switchyard/, our own code bundled and every npm package left to Node's resolution.
//
// Why not run the .ts through tsx, as `npm run dev` does: tsx compiles with esbuild's keepNames, which
// wraps every named closure in a `__name()` call (an Object.defineProperty) each time it is created,
// and the request path creates a dozen per request. Built once at start, the standalone gateway spends
// about 10 % less CPU per request (bench/README.md, "Gateway"). The build takes under a second.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const BUNDLE_DIR = path.resolve("node_modules/.cache/switchyard");

/**
 * Bundles `entry` and returns the output file's absolute path (in BUNDLE_DIR, named after the entry unless `name`
 * says otherwise). `tsconfig` (default this checkout's) decides what `@/` means: bench/gateway/ab.ts builds another
 * checkout's sources with it.
 */
export async function bundle(entry, { name, tsconfig = "tsconfig.json" } = {}) {
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const outfile = path.join(BUNDLE_DIR, `${name ?? path.basename(entry).replace(/\.[cm]?tsx?$/, "")}.mjs`);
  const { outputFiles } = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${process.versions.node}`,
    // npm packages stay imports (native addons, wasm and Next must load from node_modules); `@/` paths are ours.
    packages: "external",
    tsconfig,
    sourcemap: "linked",
    logLevel: "warning",
    write: false,
  });
  // Written aside and renamed into place: two processes starting at once (npm start beside the e2e suite) never
  // import a half-written file.
  for (const file of outputFiles) {
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
  }
  return outfile;
}
