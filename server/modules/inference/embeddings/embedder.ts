import * as ort from "onnxruntime-node";
import type { AbortLike } from "@/server/abort";
import { DomainError } from "@/server/errors";
import { ModelQueue } from "../model-queue";
import type { LoadedEncoder } from "./encoder-folder";
import { l2Normalize, poolRow, sigmoid } from "./pooling";

/** One input: text, or token ids fed to the model as they are (special tokens included, none added). */
export type EmbedInput = string | number[];

/** Sub-batch bounds: at most this many sequences, and this many padded tokens (rows x longest), per session run. */
export const MAX_BATCH_SEQUENCES = 32;
export const MAX_BATCH_TOKENS = 8192;

interface Sequence {
  index: number;
  ids: number[];
  typeIds: number[] | null;
}

const invalid = (param: string, message: string) =>
  new DomainError("VALIDATION", `${param}: ${message}`, [{ path: param, message }]);

/**
 * One loaded encoder and what runs on it. Every request's sequences are sorted by length and cut into sub-batches
 * (padded to the longest in each, bounded by MAX_BATCH_SEQUENCES and MAX_BATCH_TOKENS); each sub-batch waits its
 * turn on the session, so requests admitted together interleave instead of one long request holding it.
 */
export class Embedder {
  /** One session run at a time; waiting is bounded by the engine's admission queue in front of this. */
  private readonly turns: ModelQueue;

  constructor(
    readonly loaded: LoadedEncoder,
    name: string,
  ) {
    this.turns = new ModelQueue(name, 1, Number.POSITIVE_INFINITY);
  }

  get info() {
    return this.loaded.info;
  }

  get device() {
    return this.loaded.device;
  }

  /** One vector per input, in order (pooled and normalised as the folder's config says), and the tokens read. */
  async embed(inputs: EmbedInput[], signal?: AbortLike): Promise<{ vectors: Float32Array[]; tokens: number }> {
    if (this.info.kind !== "embedding")
      throw new DomainError("BAD_REQUEST", "this model is a reranker: it does not embed");
    const sequences = inputs.map((input, index) => this.sequenceOf(input, index));
    const vectors: Float32Array[] = new Array(inputs.length);
    for (const batch of subBatches(sequences)) {
      const rows = await this.runBatch(batch, this.info.output!.name, signal);
      batch.forEach((sequence, b) => {
        const vector = rows(b);
        vectors[sequence.index] = this.info.pooling.normalize ? l2Normalize(vector) : vector;
      });
    }
    return { vectors, tokens: sequences.reduce((n, s) => n + s.ids.length, 0) };
  }

  /** sigmoid(logit) of each (query, document) pair, in the documents' order, and the tokens read. */
  async rerank(query: string, documents: string[], signal?: AbortLike): Promise<{ scores: number[]; tokens: number }> {
    if (this.info.kind !== "rerank") throw new DomainError("BAD_REQUEST", "this model embeds: it is not a reranker");
    const { maxLength } = this.info;
    // The query with every special token of a pair: a one-token document's pair, less that token.
    const queryLength = this.loaded.tokenizer.encode(query, { text_pair: "a" }).ids.length - 1;
    if (queryLength >= maxLength)
      throw invalid(
        "query",
        `the query has ${queryLength} tokens with the document's special tokens; the model reads at most ${maxLength}`,
      );
    const sequences = documents.map((document, index) => {
      const encoded = this.loaded.tokenizer.encode(query, { text_pair: document, return_token_type_ids: true });
      let ids = encoded.ids;
      let typeIds = encoded.token_type_ids;
      // Too long: the document is cut, keeping the closing special token (as rerank APIs truncate documents).
      if (ids.length > maxLength) {
        ids = [...ids.slice(0, maxLength - 1), ids[ids.length - 1]];
        typeIds = [...typeIds.slice(0, maxLength - 1), typeIds[typeIds.length - 1]];
      }
      return { index, ids, typeIds };
    });
    const scores: number[] = new Array(documents.length);
    for (const batch of subBatches(sequences)) {
      const rows = await this.runBatch(batch, "logits", signal);
      batch.forEach((sequence, b) => {
        scores[sequence.index] = sigmoid(rows(b)[0]);
      });
    }
    return { scores, tokens: sequences.reduce((n, s) => n + s.ids.length, 0) };
  }

  private sequenceOf(input: EmbedInput, index: number): Sequence {
    const { maxLength, vocabSize } = this.info;
    let ids: number[];
    let typeIds: number[] | null = null;
    if (typeof input === "string") {
      const encoded = this.loaded.tokenizer.encode(input, { return_token_type_ids: true });
      ids = encoded.ids;
      typeIds = encoded.token_type_ids;
    } else {
      const bad = input.find((id) => id >= vocabSize);
      if (bad !== undefined)
        throw invalid(`input.${index}`, `token id ${bad} is outside the vocabulary (${vocabSize} tokens)`);
      ids = input;
    }
    if (ids.length > maxLength)
      throw invalid(`input.${index}`, `input ${index} has ${ids.length} tokens; this model reads at most ${maxLength}`);
    return { index, ids, typeIds };
  }

  /** Runs one padded sub-batch in its turn; returns row b's pooled (or pooled-by-the-graph) values. */
  private async runBatch(batch: Sequence[], output: string, signal?: AbortLike): Promise<(b: number) => Float32Array> {
    const release = await this.turns.acquire(signal);
    try {
      if (signal?.aborted) throw signal.reason;
      const seq = Math.max(...batch.map((s) => s.ids.length));
      const size = batch.length * seq;
      const int64 = this.info.idsType === "int64";
      const make = () => (int64 ? new BigInt64Array(size) : new Int32Array(size));
      const ids = make();
      const mask = make();
      const types = make();
      const maskNumbers = new Uint8Array(size);
      const put = (array: BigInt64Array | Int32Array, at: number, value: number) => {
        if (int64) (array as BigInt64Array)[at] = BigInt(value);
        else (array as Int32Array)[at] = value;
      };
      batch.forEach((sequence, b) => {
        for (let s = 0; s < seq; s++) {
          const at = b * seq + s;
          const real = s < sequence.ids.length;
          put(ids, at, real ? sequence.ids[s] : this.info.padTokenId);
          put(mask, at, real ? 1 : 0);
          put(types, at, real && sequence.typeIds ? sequence.typeIds[s] : 0);
          maskNumbers[at] = real ? 1 : 0;
        }
      });
      const dims = [batch.length, seq];
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor(this.info.idsType, ids, dims),
      };
      const names = this.loaded.session.inputNames;
      if (names.includes("attention_mask")) feeds.attention_mask = new ort.Tensor(this.info.idsType, mask, dims);
      if (names.includes("token_type_ids")) feeds.token_type_ids = new ort.Tensor(this.info.idsType, types, dims);
      const result = await this.loaded.session.run(feeds, [output]);
      const tensor = result[output];
      const data = tensor.data as Float32Array;
      if (tensor.dims.length === 3) {
        const tokens = { data, mask: maskNumbers, batch: batch.length, seq, hidden: tensor.dims[2] };
        return (b) => poolRow(tokens, b, this.info.pooling.modes);
      }
      const width = tensor.dims[1];
      return (b) => data.slice(b * width, (b + 1) * width);
    } finally {
      release();
    }
  }

  release(): Promise<void> {
    return this.loaded.session.release();
  }
}

/** Sequences sorted by length, cut so that no sub-batch exceeds the sequence or padded-token bounds. */
export function subBatches<T extends { ids: number[] }>(sequences: T[]): T[][] {
  const sorted = [...sequences].sort((a, b) => a.ids.length - b.ids.length);
  const batches: T[][] = [];
  let current: T[] = [];
  for (const sequence of sorted) {
    // Sorted ascending: this sequence is the longest so far, so the padded size is rows x its length.
    const padded = (current.length + 1) * sequence.ids.length;
    if (current.length && (current.length >= MAX_BATCH_SEQUENCES || padded > MAX_BATCH_TOKENS)) {
      batches.push(current);
      current = [];
    }
    current.push(sequence);
  }
  if (current.length) batches.push(current);
  return batches;
}
