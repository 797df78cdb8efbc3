// Rotary position embeddings (Su et al. 2021, "RoFormer") in the convention of Hugging Face transformers'
// Llama (modeling_llama.py: rotate_half, apply_rotary_pos_emb; modeling_rope_utils.py: default, linear
// and llama3 inverse frequencies). The feature dimension is split in halves (not interleaved pairs):
// x·cos + rotate_half(x)·sin with rotate_half([x1, x2]) = [-x2, x1] and cos/sin = cat(freqs, freqs).
import * as tf from '@tensorflow/tfjs-core';

export type RopeScaling =
  | { type: 'default' }
  | { type: 'linear'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalContext: number };

export interface RopeSpec {
  theta: number;
  headDim: number;
  scaling: RopeScaling;
}

const f = Math.fround; // transformers computes these tables in float32: round like it does

/** Inverse frequencies [headDim / 2], as transformers' rope init functions compute them. */
export function ropeInvFreq(spec: RopeSpec): Float64Array {
  const { theta, headDim, scaling } = spec;
  const inv = new Float64Array(headDim / 2);
  for (let i = 0; i < headDim / 2; i++) inv[i] = f(1 / f(Math.pow(theta, f((2 * i) / headDim))));
  switch (scaling.type) {
    case 'default':
      return inv;
    case 'linear':
      return inv.map((x) => f(x / scaling.factor));
    case 'llama3': {
      // Llama 3.1: long wavelengths are slowed by `factor`, short ones kept, the band between interpolated.
      const { factor, lowFreqFactor, highFreqFactor, originalContext } = scaling;
      const lowWavelen = originalContext / lowFreqFactor;
      const highWavelen = originalContext / highFreqFactor;
      return inv.map((x) => {
        const wavelen = (2 * Math.PI) / x;
        if (wavelen > lowWavelen) return f(x / factor);
        if (wavelen < highWavelen) return x;
        const smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return f((1 - smooth) * (x / factor) + smooth * x);
      });
    }
  }
}

/** cos and sin tables [T, headDim] for positions start..start+T-1. */
export function ropeTables(invFreq: Float64Array, start: number, T: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const half = invFreq.length;
  const hd = 2 * half;
  const cos = new Float32Array(T * hd);
  const sin = new Float32Array(T * hd);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const a = f((start + t) * (invFreq[i] as number));
      const c = Math.cos(a);
      const s = Math.sin(a);
      cos[t * hd + i] = c;
      cos[t * hd + half + i] = c;
      sin[t * hd + i] = s;
      sin[t * hd + half + i] = s;
    }
  }
  return { cos: tf.tensor2d(cos, [T, hd]), sin: tf.tensor2d(sin, [T, hd]) };
}

/** Applies the rotation to x [Z, T, hd] with tables [T, hd] → [Z, T, hd]. */
export function applyRope(x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor3D {
  const [Z, T, hd] = x.shape;
  const x1 = tf.slice(x, [0, 0, 0], [Z, T, hd / 2]); // [Z, T, hd/2]
  const x2 = tf.slice(x, [0, 0, hd / 2], [Z, T, hd / 2]); // [Z, T, hd/2]
  const rotated = tf.concat([tf.neg(x2), x1], 2); // [Z, T, hd]
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
}

/**
 * Tables [T, hd] tiled over n heads → [T, n, hd], a suffix of the shape applyRopeRows multiplies: the
 * native kernels broadcast a suffix in one pass, where [T, 1, hd] against [B, T, n, hd] fell to tfjs's
 * generic broadcast, 40% of a SmolLM2-360M step.
 */
export function widen(t: tf.Tensor2D, n: number): tf.Tensor3D {
  const [T, hd] = t.shape;
  return tf.tile(tf.reshape(t, [T, 1, hd]), [1, n, 1]) as tf.Tensor3D; // [T, n, hd]
}

/** The same rotation on x [B, T, n, hd] (heads not split out) with tables widened to [T, n, hd] → [B, T, n, hd]. */
export function applyRopeRows(x: tf.Tensor4D, cos: tf.Tensor3D, sin: tf.Tensor3D): tf.Tensor4D {
  const [x1, x2] = tf.split(x, 2, 3) as [tf.Tensor4D, tf.Tensor4D]; // 2 × [B, T, n, hd/2]
  const rotated = tf.concat([tf.neg(x2), x1], 3); // [B, T, n, hd]
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)); // [B, T, n, hd]
}
