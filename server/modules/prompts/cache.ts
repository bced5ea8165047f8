import { NotifyListener } from "@/server/database/notify-listener";

export const PROMPT_LABEL_CHANNEL = "switchyard_prompt_labels";

/** Falls back to expiry if a notification is ever missed (e.g. while reconnecting). */
const TTL_MS = 60_000;

interface Entry<T> {
  value: T;
  expires: number;
}

/**
 * In-process cache for fetch-by-label, shared by every request in the
 * process. Label moves and new versions run `pg_notify` in their transaction;
 * each process LISTENs and drops the prompt's entries when one commits, so
 * replicas agree without polling. Entries also expire after a minute.
 */
export class PromptCache<T> {
  private readonly entries = new Map<string, Map<string, Entry<T>>>();
  /** Bumped on every invalidation, so a read that raced a label move is not cached. */
  private generation = 0;
  private readonly listener: NotifyListener | null;
  hits = 0;
  misses = 0;

  constructor(connectionString: string | null) {
    this.listener = connectionString
      ? new NotifyListener(
          connectionString,
          PROMPT_LABEL_CHANNEL,
          (payload) => {
            try {
              const { projectId, name } = JSON.parse(payload || "{}");
              this.invalidate(projectId, name);
            } catch {
              this.entries.clear();
            }
          },
          () => this.reset(),
        )
      : null;
  }

  private static key(projectId: string, name: string) {
    return `${projectId}\u0000${name}`;
  }

  /** Starts listening (once); until it is connected, lookups miss, so nothing stale is served. */
  listen(): Promise<void> {
    return this.listener?.start() ?? Promise.resolve();
  }

  private reset() {
    this.generation++;
    this.entries.clear();
  }

  get connected(): boolean {
    return this.listener === null || this.listener.connected;
  }

  get(projectId: string, name: string, selector: string): T | undefined {
    if (!this.connected) return undefined;
    const entry = this.entries.get(PromptCache.key(projectId, name))?.get(selector);
    if (!entry || entry.expires < Date.now()) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return entry.value;
  }

  /** Take before reading the database; pass to `set`. */
  token(): number {
    return this.generation;
  }

  set(projectId: string, name: string, selector: string, value: T, token: number) {
    if (!this.connected || token !== this.generation) return;
    const key = PromptCache.key(projectId, name);
    let forPrompt = this.entries.get(key);
    if (!forPrompt) {
      forPrompt = new Map();
      this.entries.set(key, forPrompt);
    }
    forPrompt.set(selector, { value, expires: Date.now() + TTL_MS });
  }

  invalidate(projectId: string, name: string) {
    this.generation++;
    this.entries.delete(PromptCache.key(projectId, name));
  }

  async close() {
    await this.listener?.close();
    this.reset();
  }
}
