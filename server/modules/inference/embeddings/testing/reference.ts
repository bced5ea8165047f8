/**
 * The reference tests compare the served vectors and scores with: the ONNX session run directly on one input alone
 * (no padding, no batching), pooled and normalised by hand. Deliberately plain, sharing nothing with embedder.ts.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";

export async function referenceModel(dir: string) {
  const session = await ort.InferenceSession.create(path.join(dir, "model.onnx"));
  const tokenizer = new Tokenizer(JSON.parse(await readFile(path.join(dir, "tokenizer.json"), "utf8")), {});
  const feeds = (ids: number[], typeIds: number[]) => {
    const tensor = (values: number[]) =>
      new ort.Tensor("int64", BigInt64Array.from(values.map(BigInt)), [1, values.length]);
    return {
      input_ids: tensor(ids),
      attention_mask: tensor(ids.map(() => 1)),
      token_type_ids: tensor(typeIds),
    };
  };
  return {
    tokenizer,
    /** Mean of last_hidden_state over the tokens, L2-normalised. */
    async embed(input: string | number[]): Promise<number[]> {
      const ids = typeof input === "string" ? tokenizer.encode(input).ids : input;
      const out = await session.run(
        feeds(
          ids,
          ids.map(() => 0),
        ),
      );
      const hidden = out.last_hidden_state.dims[2];
      const data = out.last_hidden_state.data as Float32Array;
      const mean = Array.from({ length: hidden }, (_, h) => {
        let sum = 0;
        for (let s = 0; s < ids.length; s++) sum += data[s * hidden + h];
        return sum / ids.length;
      });
      const norm = Math.hypot(...mean);
      return mean.map((v) => v / norm);
    },
    /** sigmoid of the cross-encoder's logit for (query, document). */
    async score(query: string, document: string): Promise<number> {
      const encoded = tokenizer.encode(query, { text_pair: document, return_token_type_ids: true });
      const out = await session.run(feeds(encoded.ids, encoded.token_type_ids));
      return 1 / (1 + Math.exp(-(out.logits.data as Float32Array)[0]));
    },
    release: () => session.release(),
  };
}
