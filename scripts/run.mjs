#!/usr/bin/env node
// `node scripts/run.mjs scripts/start.ts [args]`: bundles the entry (scripts/lib/bundle.mjs) and runs it in
// this process, with source maps on so that stack traces name the .ts files.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bundle } from "./lib/bundle.mjs";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run.mjs <entry.ts> [args]");
  process.exit(2);
}
const outfile = await bundle(path.resolve(entry));
process.setSourceMapsEnabled(true);
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
