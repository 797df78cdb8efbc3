// The KV cache for incremental decoding, shared by the GPT-2 and Llama models: each layer keeps its
// keys transposed, [Z, hd, S], and its values, [Z, S, hd], for the S tokens seen so far.
import * as tf from '@tensorflow/tfjs-core';
import type { KvCache } from './types';

/** What a forward pass in decoding mode reads (the cache so far) and fills (the grown one). */
export interface CacheStep {
  prev: KvCache | undefined;
  next: { k: tf.Tensor3D; v: tf.Tensor3D }[];
}

/** Prepends layer i's cached keys and values to this step's, records the result, and returns it. */
export function extendLayer(kv: CacheStep, i: number, kT: tf.Tensor3D, v: tf.Tensor3D): { kT: tf.Tensor3D; v: tf.Tensor3D } {
  const prev = kv.prev?.layers[i];
  const k2 = prev ? (tf.concat([prev.k, kT], 2) as tf.Tensor3D) : kT; // [Z, hd, past+T]
  const v2 = prev ? (tf.concat([prev.v, v], 1) as tf.Tensor3D) : v; // [Z, past+T, hd]
  kv.next.push({ k: k2, v: v2 });
  return { kT: k2, v: v2 };
}
