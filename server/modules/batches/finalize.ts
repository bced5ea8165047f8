// Ends a batch: writes its output file (2xx lines) and error file (the rest; and, when it expired, the lines it
// never ran), in input order, and sets the final status. Safe to call twice (the second finds it final).
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";
import { readBatchLines, writeResultFile } from "./io";
import { batchPool } from "./store";

type Final = "completed" | "failed" | "expired" | "cancelled";
type Problem = { code: string; message: string; line: number; param: string };
const PAGE = 5000;
type ItemRow = {
  line: number;
  custom_id: string;
  status_code: number | null;
  request_id: string | null;
  body: string | null;
  error: string | null;
};
const ITEMS_PAGE_SQL = `SELECT line, custom_id, status_code, request_id, body::text AS body, error::text AS error
FROM batch_items WHERE batch_id = $1 AND line > $2 ORDER BY line LIMIT $3`;

const lineId = (batchId: string, line: number) =>
  `batch_req_${createHash("sha256").update(`${batchId}:${line}`).digest("hex").slice(0, 24)}`;

export async function finalizeBatch(db: Db, batchId: string, status: Final, problems?: Problem[]) {
  const batch = await db.batch.findUniqueOrThrow({ where: { id: batchId } });
  if (["completed", "failed", "expired", "cancelled"].includes(batch.status)) return { status: batch.status };
  const now = new Date();
  if (status === "failed") {
    await db.batch.update({
      where: { id: batchId },
      data: {
        status: "failed",
        failedAt: now,
        errors: { object: "list", data: problems ?? [] } as Prisma.InputJsonValue,
      },
    });
    return { status: "failed" };
  }
  // A cancel that arrived while it was finishing wins: the results are the same, the status says cancelled.
  if (status === "completed") {
    await db.batch.updateMany({
      where: { id: batchId, status: "in_progress" },
      data: { status: "finalizing", finalizingAt: now },
    });
  }
  const dir = await mkdtemp(path.join(tmpdir(), "switchyard-batch-"));
  try {
    const files = await writeResults(db, batch, dir, status === "expired");
    const current = await db.batch.findUniqueOrThrow({ where: { id: batchId }, select: { status: true } });
    const final: Final = current.status === "cancelling" ? "cancelled" : status;
    const counts = await db.batchItem.groupBy({ by: ["batchId"], where: { batchId }, _count: true });
    const completed = await db.batchItem.count({ where: { batchId, statusCode: { gte: 200, lt: 300 } } });
    const stored = counts[0]?._count ?? 0;
    await db.batch.update({
      where: { id: batchId },
      data: {
        status: final,
        outputFileId: files.output,
        errorFileId: files.error,
        completedCount: completed,
        failedCount: stored - completed + files.unrun,
        ...(final === "completed" ? { completedAt: new Date() } : {}),
        ...(final === "cancelled" ? { cancelledAt: new Date() } : {}),
        ...(final === "expired" ? { expiredAt: new Date() } : {}),
      },
    });
    return { status: final, completed, failed: stored - completed + files.unrun };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeResults(
  db: Db,
  batch: { id: string; projectId: string; apiKeyId: string | null; inputFileId: string },
  dir: string,
  expired: boolean,
) {
  const output = createWriteStream(path.join(dir, "output.jsonl"));
  const errors = createWriteStream(path.join(dir, "errors.jsonl"));
  let outputLines = 0;
  let errorLines = 0;
  const write = async (stream: NodeJS.WritableStream, value: unknown) => {
    if (!stream.write(`${JSON.stringify(value)}\n`)) await once(stream, "drain");
  };
  let after = 0;
  const seen = new Set<number>();
  for (;;) {
    // Bodies as text, spliced into the lines as stored: no parse and re-serialise of every answer.
    const { rows } = await batchPool().query<ItemRow>(ITEMS_PAGE_SQL, [batch.id, after, PAGE]);
    if (rows.length === 0) break;
    for (const item of rows) {
      if (expired) seen.add(item.line);
      const ok = item.status_code !== null && item.status_code >= 200 && item.status_code < 300;
      const response =
        item.status_code === null
          ? "null"
          : `{"status_code":${item.status_code},"request_id":${JSON.stringify(item.request_id)},"body":${item.body ?? "null"}}`;
      const record = `{"id":"${lineId(batch.id, item.line)}","custom_id":${JSON.stringify(item.custom_id)},"response":${response},"error":${ok ? "null" : (item.error ?? "null")}}\n`;
      if (ok) {
        if (!output.write(record)) await once(output, "drain");
        outputLines++;
      } else {
        if (!errors.write(record)) await once(errors, "drain");
        errorLines++;
      }
    }
    after = rows[rows.length - 1].line;
  }
  let unrun = 0;
  if (expired) {
    for await (const line of readBatchLines(db, batch.projectId, batch.inputFileId)) {
      if (seen.has(line.line)) continue;
      unrun++;
      await write(errors, {
        id: lineId(batch.id, line.line),
        custom_id: line.customId,
        response: null,
        error: {
          code: "batch_expired",
          message: "This request could not be executed before the completion window expired.",
        },
      });
      errorLines++;
    }
  }
  output.end();
  errors.end();
  await Promise.all([once(output, "close"), once(errors, "close")]);
  const store = (name: string, lines: number) =>
    writeResultFile(db, {
      projectId: batch.projectId,
      apiKeyId: batch.apiKeyId,
      filename: `${batch.id}_${name}.jsonl`,
      sourcePath: path.join(dir, `${name === "output" ? "output" : "errors"}.jsonl`),
      lines,
    });
  return {
    output: outputLines ? await store("output", outputLines) : null,
    error: errorLines ? await store("error", errorLines) : null,
    unrun,
  };
}
