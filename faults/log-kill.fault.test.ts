/**
 * Issue 14, item 12: `kill -9` under load loses no answered request's log row. The gateway runs as
 * `npm run gateway` does, under load from this process; it is killed (SIGKILL) mid-load, started again on the
 * same data folder and database, and every request that got its answer must have exactly one row: the rows the
 * killed process had not written yet come back from its spool, replayed once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { reply } from "@/server/modules/gateway/testing/chat-upstream";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import {
  echoProject,
  type GatewayProcess,
  rowsOf,
  startGateway,
  startLoad,
  waitForAnswers,
  waitForRows,
} from "./log-harness";

let db: Db;
let url: string;
withTestDatabase((client, databaseUrl) => {
  db = client;
  url = databaseUrl;
});

const dataDir = mkdtempSync(path.join(tmpdir(), "switchyard-fault-kill-"));
let upstream: FakeUpstream;
let key: string;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream((req, res) => reply(req, res, ["pong"]));
  ({ key } = await echoProject(db, upstream.origin));
});

afterAll(async () => {
  for (const gateway of gateways) if (gateway.child.exitCode === null) gateway.child.kill("SIGKILL");
  await upstream?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("kill -9 under load", () => {
  it("loses no answered request: the restarted gateway replays the killed one's spool, once", async () => {
    const first = await startGateway({ databaseUrl: url, dataDir });
    gateways.push(first);
    const load = startLoad(first.origin, key, 16);
    // Well past the first batches, so that rows are being written while more wait in memory.
    await waitForAnswers(load.answered, 1_500);
    first.child.kill("SIGKILL");
    expect(await first.exited).toMatchObject({ signal: "SIGKILL" });
    await load.stop();
    const answered = [...load.answered];

    const second = await startGateway({ databaseUrl: url, dataDir });
    gateways.push(second);
    const missing = await waitForRows(url, answered, 60_000);
    expect(missing, `answered but not logged (of ${answered.length})`).toEqual([]);
    const rows = await rowsOf(url, answered);
    expect(rows).toHaveLength(answered.length);
    expect(rows.every((row) => row.status === 200)).toBe(true);

    second.child.kill("SIGTERM");
    expect(await second.exited).toMatchObject({ code: 0 });
  });
});
