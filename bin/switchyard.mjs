#!/usr/bin/env node
// `npx switchyard`: the CLI shipped with the package (plain Node ESM, no build step). The logic is in ./lib.
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { main } from "./lib/main.mjs";

const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
const code = await main(process.argv.slice(2), {
  env: process.env,
  fetch: globalThis.fetch,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  writeFile: (path, text) => writeFile(path, text, "utf8"),
  appendFile: (path, text) => appendFile(path, text, "utf8"),
  sleep: (ms) => sleep(ms),
  now: () => Date.now(),
  version: pkg.version,
}).catch((error) => {
  process.stderr.write(`switchyard: unexpected error: ${error?.stack ?? error}\n`);
  return 2;
});
process.exitCode = code;
