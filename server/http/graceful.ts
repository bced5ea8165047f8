// Graceful shutdown of a node:http server: stop accepting connections, let
// the requests in progress finish within a grace period (each answer then
// closes its connection), cut what is still open, and only then let go.
import type { IncomingMessage, Server, ServerResponse } from "node:http";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** SWITCHYARD_SHUTDOWN_GRACE_S (default 30): how long SIGTERM waits for open requests and streams. */
export function shutdownGraceMs(): number {
  const raw = process.env.SWITCHYARD_SHUTDOWN_GRACE_S?.trim() || "30";
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new Error(`SWITCHYARD_SHUTDOWN_GRACE_S must be a number of seconds >= 0, not "${raw}"`);
  return Math.round(seconds * 1000);
}

export interface DrainOptions {
  /** How long open requests may take to finish. */
  graceMs: number;
  /** Ends what is still open at the end of the grace period (the gateway: a final error event, logged); returns how many. */
  cut?: () => number;
  /** How long cut requests get to write their last bytes. Default 5 s. */
  cutWaitMs?: number;
}

export interface DrainResult {
  /** Requests open when the drain began. */
  open: number;
  /** Of them, cut at the end of the grace period. */
  cut: number;
  /** Connections still open at the very end (destroyed). */
  destroyed: number;
}

/** Counts a server's open requests (the listener is wrapped), so that a drain can wait for them. */
export class OpenRequests {
  private readonly open = new Set<ServerResponse>();
  private draining = false;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.open.size;
  }

  wrap(listener: Listener): Listener {
    return (req, res) => {
      this.open.add(res);
      // During a drain every answer closes its connection: a keep-alive client then reconnects elsewhere.
      if (this.draining) res.shouldKeepAlive = false;
      res.once("close", () => {
        this.open.delete(res);
        if (this.open.size === 0) this.wake();
      });
      listener(req, res);
    };
  }

  /** Stops accepting, waits up to graceMs for the open requests, cuts the rest, then destroys what remains. */
  async drain(server: Server, options: DrainOptions): Promise<DrainResult> {
    this.draining = true;
    const open = this.open.size;
    for (const res of this.open) if (!res.headersSent) res.shouldKeepAlive = false;
    server.close();
    server.closeIdleConnections();
    await this.idle(options.graceMs);
    let cut = 0;
    if (this.open.size > 0 && options.cut) {
      cut = options.cut();
      await this.idle(options.cutWaitMs ?? 5_000);
    }
    const destroyed = this.open.size;
    server.closeAllConnections();
    return { open, cut, destroyed };
  }

  private idle(ms: number): Promise<void> {
    if (this.open.size === 0 || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
