import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

/**
 * The render worker as one CommonJS file, bundled from ./worker.ts at first use (well under a second, once per
 * process), the way scripts/lib/bundle.mjs bundles the server entries. Why build rather than point the pool at
 * the .ts: the same code runs under Next's server bundle, the esbuild-bundled gateway, tsx and vitest, and a
 * worker thread inherits none of their TypeScript loaders; npm packages stay requires resolved from node_modules.
 * Why CommonJS: Piscina `require()`s a plain path synchronously, while an ES module is instantiated through the
 * ESM loader, and a process exiting while a fresh worker instantiates its module graph dies with a V8 fatal error
 * ("IsGraphAsync must be used on an instantiated module"), which took a test process down once.
 */
export async function buildRenderWorker(root = process.cwd()): Promise<string> {
  const dir = path.join(root, "node_modules/.cache/switchyard");
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, "prompt-render-worker.cjs");
  const { outputFiles } = await build({
    entryPoints: [path.join(root, "server/modules/prompts/rendering/worker.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${process.versions.node}`,
    packages: "external",
    tsconfig: path.join(root, "tsconfig.json"),
    logLevel: "warning",
    write: false,
  });
  // Written aside and renamed into place: processes starting together never import a half-written file.
  for (const file of outputFiles) {
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
  }
  return outfile;
}
