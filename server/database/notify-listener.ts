/**
 * One Postgres LISTEN connection for one channel: how a process hears that
 * another committed a change its caches hold (`pg_notify` in the writing
 * transaction). Connects on `start()` (idempotent); `onReset` runs when the
 * connection drops and again once LISTEN is (re)established — both times a
 * cache must assume it missed something — and the next `start()` reconnects.
 */
import pg from "pg";

/** A listener kept up (see `follow`). */
export interface Following {
  /** Settles once the first LISTEN is up (or failed). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export class NotifyListener {
  private client: pg.Client | null = null;
  private starting: Promise<void> | null = null;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly onMessage: (payload: string) => void,
    private readonly onReset: () => void = () => {},
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name '${channel}'`);
  }

  get connected(): boolean {
    return this.client !== null;
  }

  start(): Promise<void> {
    this.starting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: "switchyard-listen" });
      client.on("notification", (message) => {
        if (message.channel === this.channel) this.onMessage(message.payload ?? "");
      });
      client.on("error", () => this.reset(client));
      client.on("end", () => this.reset(client));
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      this.client = client;
      this.onReset();
    })().catch((error) => {
      this.starting = null;
      throw error;
    });
    return this.starting;
  }

  /**
   * Listens now and until `close()`, retrying every `reconnectMs` while the connection is down. `ready` settles
   * once the first LISTEN is up (or failed: the caller's cache then relies on its TTL until a reconnect).
   */
  follow(reconnectMs = 5_000): Following {
    const ready = this.start().catch(() => {});
    const timer = setInterval(() => {
      if (!this.connected) this.start().catch(() => {});
    }, reconnectMs);
    timer.unref();
    return {
      ready,
      close: async () => {
        clearInterval(timer);
        await this.close();
      },
    };
  }

  private reset(client: pg.Client) {
    if (this.client !== client && this.client !== null) return;
    this.client = null;
    this.starting = null;
    this.onReset();
  }

  async close() {
    const client = this.client;
    this.client = null;
    this.starting = null;
    await client?.end().catch(() => {});
  }
}
