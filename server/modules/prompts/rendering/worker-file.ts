import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

/**
 * The render worker as one ES module, bundled from ./worker.ts at first use (well under a second, once per
 * process), the way scripts/lib/bundle.mjs bundles the server entries. Why build rather than point the pool at
 * the .ts: the same code runs under Next's server bundle, the esbuild-bundled gateway, tsx and vitest, and a
 * worker thread inherits none of their TypeScript loaders; npm packages stay imports resolved from node_modules.
 */
export async function buildRenderWorker(root = process.cwd()): Promise<string> {
  const dir = path.join(root, "node_modules/.cache/switchyard");
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, "prompt-render-worker.mjs");
  const { outputFiles } = await build({
    entryPoints: [path.join(root, "server/modules/prompts/rendering/worker.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
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
