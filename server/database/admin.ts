// Server-level chores (creating, cloning and dropping databases) shared by the
// embedded server, the test harness and the shadow databases the migration
// diff needs. Everything takes a "server URL": any connection URL on the
// server, whose own database is only used to issue the commands.
import pg from "pg";

/** The same server and credentials, pointed at another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** The URL with its password masked, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<invalid database URL>";
  }
}

/** Runs `work` with a connected client and always closes it. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // An idle client whose server goes away emits 'error'; without a listener
  // that would crash the process instead of failing the current call.
  client.on("error", () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  return withClient(serverUrl, async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return rowCount === 1;
  });
}

export async function listDatabases(serverUrl: string, prefix: string): Promise<string[]> {
  return withClient(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname",
      [prefix],
    );
    return rows.map((row) => row.datname);
  });
}

/**
 * CREATE DATABASE, optionally as a copy of `template` (a file-level copy, much
 * faster than replaying migrations). The template must have no open
 * connections while it is copied.
 */
export async function createDatabase(serverUrl: string, name: string, options: { template?: string } = {}) {
  const template = options.template ? ` TEMPLATE ${pg.escapeIdentifier(options.template)}` : "";
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${template}`));
}

/** Creates the database unless it exists; tolerates a concurrent creator. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  if (await databaseExists(serverUrl, name)) return;
  try {
    await createDatabase(serverUrl, name);
  } catch (error) {
    // 42P04 duplicate_database: someone else created it between the two calls.
    if ((error as { code?: string }).code !== "42P04") throw error;
  }
}

/** Drops the database if it exists, disconnecting whoever is still on it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

export async function renameDatabase(serverUrl: string, from: string, to: string): Promise<void> {
  await withClient(serverUrl, (client) =>
    client.query(`ALTER DATABASE ${pg.escapeIdentifier(from)} RENAME TO ${pg.escapeIdentifier(to)}`),
  );
}
