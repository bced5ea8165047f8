import { normalSampler, seededRandom } from "@/lib/random";

/**
 * Weights for the test model, constructed rather than trained.
 *
 * The residual stream is split into blocks: an input code (which token is
 * here), an output code (which token comes next), a sinusoidal position
 * block, and free dimensions. A token's code is two one-hot groups with their
 * means removed, so two different tokens share at most one group: the first
 * layer's MLP has one neuron per token that fires only on its own code and
 * writes the successor's output code, which the LM head reads back. Every
 * other weight is seeded noise, kept small enough not to flip the argmax but
 * large enough that attention, the KV cache, the conv and state-space state change logits.
 */
export interface Dimensions {
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  /** Key/value heads: fewer than `heads` in grouped-query attention. */
  kvHeads: number;
  ffn: number;
  positions: number;
  convWidth: number;
  /** The state-space state per layer, [batch, ...ssmState] (Mamba1's [batch, inner, state] in miniature). */
  ssmState: [number, number];
}

interface LayerWeights {
  ln1: Float32Array;
  ln1Bias: Float32Array;
  qkv: Float32Array;
  qkvBias: Float32Array;
  out: Float32Array;
  outBias: Float32Array;
  ln2: Float32Array;
  ln2Bias: Float32Array;
  up: Float32Array;
  upBias: Float32Array;
  down: Float32Array;
  downBias: Float32Array;
  conv: Float32Array;
  convBias: Float32Array;
  /** [hidden, ssm] into the state and [ssm, hidden] out of it; see `mixers.ts`. */
  ssmIn: Float32Array;
  ssmOut: Float32Array;
}

export interface Weights {
  tokenEmbedding: Float32Array;
  positionEmbedding: Float32Array;
  layers: LayerWeights[];
  lnFinal: Float32Array;
  lnFinalBias: Float32Array;
  lmHead: Float32Array;
}

const POSITION_DIMS = 16;
/** Logit gap between the predicted token and the runner-up (at temperature 1 it wins ~75% of draws). */
const TARGET_GAP = 5;

function codeLayout(vocab: number) {
  const groupA = Math.ceil(Math.sqrt(vocab));
  const groupB = Math.ceil(vocab / groupA);
  const width = groupA + groupB;
  return { groupA, groupB, width, minimumHidden: 2 * width + POSITION_DIMS + 8 };
}

/** Small noise out of the state, nothing into the input code (which only the embedding writes). */
function ssmOutWeights(normal: () => number, rows: number, d: number, inStart: number, width: number) {
  const out = Float32Array.from({ length: rows * d }, () => (normal() * 0.05) / Math.sqrt(rows));
  for (let r = 0; r < rows; r++) out.fill(0, r * d + inStart, r * d + inStart + width);
  return out;
}

export function buildWeights(dims: Dimensions, successor: Int32Array, seed: number): Weights {
  const { vocab, hidden: d, layers, ffn, positions, convWidth, heads, kvHeads } = dims;
  const { groupA, groupB, width, minimumHidden } = codeLayout(vocab);
  if (d < minimumHidden) throw new Error(`hidden size must be at least ${minimumHidden} for ${vocab} tokens`);
  if (ffn < vocab) throw new Error(`ffn size must be at least the vocabulary size (${vocab})`);
  const normal = normalSampler(seededRandom(seed));
  const noise = (length: number, std: number) => Float32Array.from({ length }, () => normal() * std);
  // State-space weights come from their own stream, so models without them keep exactly the weights they had.
  const ssmNormal = normalSampler(seededRandom(seed ^ 0x5eed55));
  const ssmSize = dims.ssmState[0] * dims.ssmState[1];
  const qkvWidth = d + (2 * d * kvHeads) / heads;

  const inStart = 0;
  const outStart = width;
  const posStart = 2 * width;
  const freeStart = posStart + POSITION_DIMS;
  const freeDims = d - freeStart;
  // The code of token t: +1 in slot (t mod A) and (t div A), each group's mean removed.
  const writeCode = (target: Float32Array, offset: number, token: number, scale: number) => {
    for (let i = 0; i < groupA; i++) target[offset + i] += scale * ((i === token % groupA ? 1 : 0) - 1 / groupA);
    for (let i = 0; i < groupB; i++)
      target[offset + groupA + i] += scale * ((i === Math.floor(token / groupA) ? 1 : 0) - 1 / groupB);
  };
  const codeNorm2 = 2 - 1 / groupA - 1 / groupB;
  const partial = codeNorm2 - 1;

  const freeAmplitude = Math.sqrt(0.2 / freeDims);
  const tokenEmbedding = new Float32Array(vocab * d);
  for (let t = 0; t < vocab; t++) {
    const row = tokenEmbedding.subarray(t * d, (t + 1) * d);
    writeCode(row, inStart, t, 1);
    for (let i = freeStart; i < d; i++) row[i] = normal() * freeAmplitude;
  }
  const positionAmplitude = 0.15;
  const positionEmbedding = new Float32Array(positions * d);
  for (let p = 0; p < positions; p++) {
    for (let f = 0; f < POSITION_DIMS / 2; f++) {
      const omega = 1 / 10000 ** (f / (POSITION_DIMS / 2));
      positionEmbedding[p * d + posStart + 2 * f] = positionAmplitude * Math.cos(omega * p);
      positionEmbedding[p * d + posStart + 2 * f + 1] = positionAmplitude * Math.sin(omega * p);
    }
  }

  // Residual energy the first MLP sees, so its threshold sits between a full and a partial code match.
  const residualEnergy = codeNorm2 + (POSITION_DIMS / 2) * positionAmplitude ** 2 + 0.2 + 0.3;
  const sigma = Math.sqrt(residualEnergy / d);
  const threshold = (codeNorm2 + partial) / 2;
  const sharpness = 8;
  const firing = sharpness * (codeNorm2 - threshold);

  const zeroInputRows = (matrix: Float32Array, rows: number) => {
    // Columns of the input code stay clean: nothing but the embedding writes there.
    for (let r = 0; r < rows; r++) matrix.fill(0, r * d + inStart, r * d + inStart + width);
  };
  const layerWeights: LayerWeights[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const out = noise(d * d, 0.05 / Math.sqrt(d));
    zeroInputRows(out, d);
    const conv = noise(d * convWidth, 0.1);
    conv.fill(0, inStart * convWidth, (inStart + width) * convWidth);
    const up = noise(d * ffn, 1 / Math.sqrt(d));
    const upBias = new Float32Array(ffn).fill(-2);
    const down = noise(ffn * d, 0.02 / Math.sqrt(ffn));
    zeroInputRows(down, ffn);
    if (layer === 0) {
      // One neuron per token: fires on its own input code, writes its successor's output code.
      for (let t = 0; t < vocab; t++) {
        for (let i = 0; i < d; i++) up[i * ffn + t] = 0;
        const code = new Float32Array(d);
        writeCode(code, inStart, t, sharpness * sigma);
        for (let i = 0; i < d; i++) up[i * ffn + t] = code[i];
        upBias[t] = -sharpness * threshold;
        const row = down.subarray(t * d, (t + 1) * d);
        row.fill(0);
        writeCode(row, outStart, successor[t], 1 / firing);
      }
    }
    layerWeights.push({
      ln1: new Float32Array(d).fill(1),
      ln1Bias: new Float32Array(d),
      qkv: noise(d * qkvWidth, 1 / Math.sqrt(d)),
      qkvBias: new Float32Array(qkvWidth),
      out,
      outBias: new Float32Array(d),
      ln2: new Float32Array(d).fill(1),
      ln2Bias: new Float32Array(d),
      up,
      upBias,
      down,
      downBias: new Float32Array(d),
      conv,
      convBias: new Float32Array(d),
      ssmIn: Float32Array.from({ length: d * ssmSize }, () => ssmNormal() / Math.sqrt(d)),
      ssmOut: ssmOutWeights(ssmNormal, ssmSize, d, inStart, width),
    });
  }

  // LM head: reads the output code (scaled to TARGET_GAP after the final layer norm) plus a little noise.
  const finalSigma = Math.sqrt((2 * codeNorm2 + 0.7) / d);
  const headScale = TARGET_GAP * finalSigma;
  const lmHead = noise(d * vocab, 0.05);
  for (let i = 0; i < width; i++) lmHead.fill(0, (inStart + i) * vocab, (inStart + i + 1) * vocab);
  for (let v = 0; v < vocab; v++) {
    const column = new Float32Array(d);
    writeCode(column, outStart, v, headScale);
    for (let i = outStart; i < outStart + width; i++) lmHead[i * vocab + v] = column[i];
  }
  return {
    tokenEmbedding,
    positionEmbedding,
    layers: layerWeights,
    lnFinal: new Float32Array(d).fill(1),
    lnFinalBias: new Float32Array(d),
    lmHead,
  };
}
