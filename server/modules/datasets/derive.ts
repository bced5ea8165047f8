import type { z } from "zod";
import type { Db } from "@/server/db";
import {
  type DatasetExample,
  Deduplicator,
  ExampleFilter,
  PiiMasker,
  splitPoint,
} from "@/server/modules/datasets/core";
import type { transformInput, versionOut } from "@/server/modules/datasets/schemas";
import { type ExampleRow, readExamples } from "@/server/modules/datasets/versions";

type Report = z.infer<typeof versionOut>["report"];
type Transform = z.output<typeof transformInput>;

/** Called for each example a mask changed (the preview keeps a few as before/after samples). */
export type OnMasked = (position: number, before: DatasetExample, after: DatasetExample) => void;

/** Source examples read so far (a job's progress: a filter or dedupe writes fewer rows than it reads). */
export type OnRead = (read: number) => void;

/**
 * The rows a transform derives from its parent, streamed in order; the operation's report is filled in
 * `report` once the stream is drained. One place for the rules, so a preview counts exactly what the
 * transform would write. Merge's other versions must already be checked to be in the project.
 */
export function deriveRows(
  db: Db,
  parentId: string,
  input: Transform,
  report: Report,
  onMasked?: OnMasked,
  onRead?: OnRead,
): AsyncGenerator<ExampleRow> {
  let read = 0;
  const readCounted = (versionId: string) =>
    onRead
      ? (async function* () {
          for await (const r of readExamples(db, versionId)) {
            yield r;
            onRead(++read);
          }
        })()
      : readExamples(db, versionId);
  const source = readCounted(parentId);
  switch (input.operation) {
    case "mask": {
      const masker = new PiiMasker(input.options ?? {});
      return (async function* () {
        let position = 0;
        for await (const r of source) {
          const masked = masker.mask(r.example);
          if (masked !== r.example) onMasked?.(position, r.example, masked);
          position++;
          yield { ...r, example: masked };
        }
        report.masking = masker.report();
      })();
    }
    case "dedupe": {
      const dedupe = new Deduplicator();
      return (async function* () {
        let dropped = 0;
        for await (const r of source) {
          if (dedupe.isFirst({ ...r.example, hash: r.hash })) yield r;
          else dropped++;
        }
        report.duplicatesRemoved = dropped;
      })();
    }
    case "filter": {
      const filter = new ExampleFilter({
        minTokens: input.minTokens,
        maxTokens: input.maxTokens,
        requireRoles: input.requireRole ? [input.requireRole] : undefined,
        include: input.include ? [{ pattern: input.include, flags: "i" }] : undefined,
        exclude: input.exclude ? [{ pattern: input.exclude, flags: "i" }] : undefined,
      });
      return (async function* () {
        for await (const r of source) if (filter.test(r.example) === null) yield r;
        report.kept = filter.kept;
        report.dropped = filter.dropped;
      })();
    }
    case "split": {
      const counts = { train: 0, validation: 0 };
      return (async function* () {
        for await (const r of source) {
          const split = splitPoint(r.hash, input.salt) < input.ratio ? "train" : "validation";
          counts[split]++;
          yield { ...r, split };
        }
        report.split = counts;
      })();
    }
    case "merge": {
      const dedupe = input.dedupe ? new Deduplicator() : null;
      report.merged = [parentId, ...input.otherVersionIds];
      return (async function* () {
        for (const from of [source, ...input.otherVersionIds.map(readCounted)])
          for await (const r of from) if (!dedupe || dedupe.isFirst({ ...r.example, hash: r.hash })) yield r;
      })();
    }
  }
}
