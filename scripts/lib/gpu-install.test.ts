import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { installerEnv, platformProblem } from "./gpu-install";

const installUtils = path.join(
  path.dirname(createRequire(import.meta.url).resolve("onnxruntime-node/package.json")),
  "script",
  "install-utils.js",
);

/** What onnxruntime-node's own installer parses from this environment (its parseInstallFlag, run as is). */
function parsedFlag(env: Record<string, string | undefined>): string {
  return execFileSync(
    process.execPath,
    ["-e", `console.log(JSON.stringify(require(${JSON.stringify(installUtils)}).parseInstallFlag() ?? null))`],
    { env: env as NodeJS.ProcessEnv, encoding: "utf8" },
  ).trim();
}

// What `npm run gpu:install` runs in: npm's variables, and maybe a stale flag of the user's.
const npmRunEnv = {
  PATH: process.env.PATH,
  npm_config_local_prefix: "/srv/switchyard",
  npm_package_json: "/srv/switchyard/package.json",
  ONNXRUNTIME_NODE_INSTALL: "skip",
};

describe("gpu:install", () => {
  it("makes onnxruntime-node's installer force the CUDA 12 provider, whatever npm or the user set", () => {
    // As is, the installer would skip.
    expect(parsedFlag(npmRunEnv)).toBe("false");
    const env = installerEnv(npmRunEnv);
    expect(parsedFlag(env)).toBe('"cuda12"');
    // npm's variables make the installer take the project for onnxruntime's own checkout and exit.
    expect(env.npm_config_local_prefix).toBeUndefined();
    expect(env.npm_package_json).toBeUndefined();
    expect(env.PATH).toBe(process.env.PATH);
  });

  it("refuses platforms the CUDA provider is not published for", () => {
    expect(platformProblem("linux", "x64")).toBeNull();
    expect(platformProblem("darwin", "arm64")).toContain("Linux x64 only");
    expect(platformProblem("linux", "arm64")).toContain("linux/arm64");
  });
});
