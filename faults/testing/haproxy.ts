/**
 * HAProxy from Debian (`apt-get install -y haproxy`) on loopback, round-robin over the given origins, each answer
 * marked with the server that gave it (`x-served-by: g1`, `g2`, ...). For fault tests that put replicas behind a
 * real load balancer.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const SERVED_BY = "x-served-by";

export interface LoadBalancer {
  origin: string;
  stop(): Promise<void>;
}

/** The haproxy binary, or an error saying how to install it (a fault test never skips for want of it). */
function haproxyBinary(): string {
  for (const candidate of ["haproxy", "/usr/sbin/haproxy"]) {
    try {
      execFileSync(candidate, ["-v"], { stdio: "ignore" });
      return candidate;
    } catch {
      // try the next
    }
  }
  throw new Error(
    "HAProxy is not installed: this fault test puts two gateway replicas behind it. Install it with " +
      "`apt-get install -y haproxy` (Debian; .ci/run does this on CI).",
  );
}

/** A port nobody listens on right now (the kernel's pick; HAProxy binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startHaproxy(dir: string, origins: string[]): Promise<LoadBalancer> {
  const binary = haproxyBinary();
  const port = await freePort();
  const servers = origins.map((origin, i) => `  server g${i + 1} ${new URL(origin).host}`);
  const config = [
    "global",
    "  maxconn 2000",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 60s",
    "  timeout server 60s",
    "frontend gateway",
    `  bind 127.0.0.1:${port}`,
    "  default_backend replicas",
    "backend replicas",
    // Every request in turn, keep-alive connections included (HTTP mode balances per request).
    "  balance roundrobin",
    `  http-response set-header ${SERVED_BY} %s`,
    ...servers,
    "",
  ].join("\n");
  const file = path.join(dir, "haproxy.cfg");
  writeFileSync(file, config);
  const child: ChildProcess = spawn(binary, ["-f", file, "-db"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${stderr.slice(-1000)}`);
    try {
      await fetch(`${origin}/v1/models`);
      break;
    } catch {
      if (i > 100) throw new Error(`haproxy never answered on ${origin}: ${stderr.slice(-1000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    origin,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}
