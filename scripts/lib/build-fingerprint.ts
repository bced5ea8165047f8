import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

// What the production build is made from. A change to any of these (by size
// or modification time) makes `npm start` rebuild; nothing else does.
const INPUTS = [
  "app",
  "components",
  "server",
  "public",
  "next.config.js",
  "package-lock.json",
  "tsconfig.json",
  "postcss.config.mjs",
];
const SKIP = new Set(["node_modules", ".next", "generated"]);
const STAMP = ".next/switchyard-build-fingerprint";

function walk(root: string, rel: string, hash: ReturnType<typeof createHash>) {
  const full = path.join(root, rel);
  if (!existsSync(full)) return;
  const stat = statSync(full);
  if (stat.isDirectory()) {
    for (const name of readdirSync(full).sort()) if (!SKIP.has(name)) walk(root, path.join(rel, name), hash);
  } else {
    hash.update(`${rel}\0${stat.size}\0${Math.floor(stat.mtimeMs)}\n`);
  }
}

export function buildFingerprint(root: string): string {
  const hash = createHash("sha256");
  for (const input of INPUTS) walk(root, input, hash);
  return hash.digest("hex");
}

export function buildIsCurrent(root: string): boolean {
  const stamp = path.join(root, STAMP);
  return (
    existsSync(path.join(root, ".next/BUILD_ID")) &&
    existsSync(stamp) &&
    readFileSync(stamp, "utf8").trim() === buildFingerprint(root)
  );
}

export const FINGERPRINT_FILE = STAMP;
