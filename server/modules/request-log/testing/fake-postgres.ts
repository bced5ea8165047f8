// An in-memory stand-in for the writer's pg pool: it parses the batch
// parameter, keeps rows by (id, started_at) like ON CONFLICT DO NOTHING, and
// can be down, slow, refuse poisoned rows, or lose an acknowledgement.
import { parseSerializedEntry } from "../ingest";

export type StoredRow = Record<string, unknown> & { id: string; startedAt: string };

export class FakePostgres {
  readonly rows = new Map<string, StoredRow>();
  down = false;
  /** Ids whose full entry Postgres refuses (data error); refused even without bodies when in `hopeless`. */
  readonly poison = new Set<string>();
  readonly hopeless = new Set<string>();
  /** The next statement commits but its answer is lost (connection reset). */
  loseNextAck = false;
  statements = 0;
  /** While set, statements wait for it (a slow round trip). */
  gate: Promise<void> | null = null;

  on() {
    return this;
  }

  async end() {}

  async query(config: { values: [string] }) {
    this.statements++;
    await Promise.resolve();
    if (this.gate) await this.gate;
    if (this.down) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const rows = (JSON.parse(config.values[0]) as Record<string, unknown>[]).map(
      (keyed) => parseSerializedEntry(JSON.stringify(keyed)) as StoredRow,
    );
    for (const row of rows) {
      if (this.hopeless.has(row.id) || (this.poison.has(row.id) && row.requestBody !== null)) {
        throw Object.assign(new Error(`invalid input for ${row.id}`), { code: "22P02" });
      }
    }
    let inserted = 0;
    for (const row of rows) {
      const key = `${row.id}|${row.startedAt}`;
      if (!this.rows.has(key)) {
        this.rows.set(key, row);
        inserted++;
      }
    }
    if (this.loseNextAck) {
      this.loseNextAck = false;
      throw Object.assign(new Error("Connection terminated unexpectedly"), {});
    }
    return { rows: [{ inserted }] };
  }

  ids(): string[] {
    return [...this.rows.values()].map((row) => row.id);
  }
}
