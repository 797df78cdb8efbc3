// The model interface the trainer sees: a causal language model from token ids to logits. Model code
// knows nothing of ORPO; losses (src/engine/loss) know nothing of models. Parameters carry the
// Hugging Face transformers names and layouts of the architecture, so checkpoints are
// save_pretrained-compatible directories.
import type * as tf from '@tensorflow/tfjs-core';
import type { Half, Weight } from '../ops/half';

/** A checkpoint's floating dtype, as safetensors names it. */
export type SourceDtype = 'F32' | 'F16' | 'BF16';

/** The subset of a Hugging Face config.json that ORPO Lab models read and write. */
export interface HfConfig {
  architectures: string[];
  model_type: string;
  vocab_size: number;
  [key: string]: unknown;
}

/** Per-layer keys and values of the tokens seen so far; the layout inside is the model's own. */
export interface KvCache {
  /** Tokens already in the cache. */
  length: number;
  layers: { k: tf.Tensor3D; v: tf.Tensor3D }[];
}

/** Something added to a model's linear layers (model/lora.ts): an adapted layer runs as `linear`. */
export interface LinearAdapter {
  /** Its trainable tensors by name (`<module>.lora_A.weight`, ...). */
  readonly params: Map<string, tf.Variable>;
  /** Whether `module` (e.g. "transformer.h.0.attn.c_attn") has an adapter. */
  adapts(module: string): boolean;
  /** The adapted layer `module` with its frozen weight w [in, out] (float32 or 16-bit) and bias on x [N, in] → [N, out]. */
  linear(module: string, x: tf.Tensor2D, w: Weight, b?: tf.Tensor1D): tf.Tensor2D;
  dispose(): void;
}

/** A model's output head as a function of its final hidden states, for code that applies it in row chunks. */
export interface OutputHead {
  /** Vocabulary size: the width of the logits. */
  readonly V: number;
  /** h [N, d] → logits [N, V]. */
  apply(h: tf.Tensor2D): tf.Tensor2D;
  /** The trainable tensors `apply` reads (none when the head is frozen: a LoRA base). */
  readonly weights: tf.Tensor[];
}

export interface CausalLM {
  /** The config.json this model saves (and was loaded from). */
  readonly config: HfConfig;
  /** Parameters by Hugging Face name (frozen, `trainable` false, under an adapter), in the layout `safetensors` stores for transformers. */
  readonly params: Map<string, tf.Variable>;
  /**
   * Frozen weights kept in the checkpoint's 16-bit dtype (ops/half.ts; loaded so only when they will not
   * train and the backend has the kernels: hf/load.ts), by Hugging Face name; not in `params`.
   */
  readonly halves: Map<string, Half>;
  /** The floating dtype of the checkpoint the model was loaded from: saved in it again (hf/save.ts). */
  sourceDtype?: SourceDtype;
  /** Maximum sequence length. */
  readonly context: number;
  /**
   * ids: [B, T] int32 → logits [B, T, V]. `lengths`: each row's real length when rows are right-padded
   * (transformers' attention_mask: padding keys masked, so padding positions see real tokens only).
   */
  forward(ids: tf.Tensor2D, lengths?: ArrayLike<number>): tf.Tensor3D;
  /** As `forward`, stopping before the output head: the final hidden states h [B·T, d] and the head (forward = head.apply(h)). */
  hidden(ids: tf.Tensor2D, lengths?: ArrayLike<number>): { h: tf.Tensor2D; head: OutputHead };
  /**
   * Incremental decoding: ids [B, T] continue the cached sequence → logits [B, T, V] and the grown
   * cache. The caller owns (and disposes) the returned cache tensors.
   */
  step?(ids: tf.Tensor2D, cache: KvCache | undefined): { logits: tf.Tensor3D; cache: KvCache };
  /**
   * Optional: the tensor to save under parameter `name`, in the layout transformers stores, for a model
   * that keeps some `params` in another layout (e.g. Linear weights as [in, out] for speed). Returns a new
   * tensor the caller disposes. Absent: every entry of `params` is already in the transformers layout.
   */
  exportParam?(name: string): tf.Tensor;
  /** A LoRA adapter on the linear layers (model/lora.ts attaches it and freezes `params`). */
  adapter?: LinearAdapter;
  /** Recompute each transformer block in the backward pass (train.gradient_checkpointing; model/checkpoint.ts). */
  gradientCheckpointing?: boolean;
  /** Names of parameters exempt from weight decay: biases and norm weights, as transformers' Trainer.get_decay_parameter_names. */
  noDecay(name: string): boolean;
  dispose(): void;
}
