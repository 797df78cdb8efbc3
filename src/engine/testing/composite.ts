// Test and benchmark support: the native backend without its fused causal attention (the kernel pair
// unregistered), so GPT-2 and Llama run the composite of tfjs ops that the wasm-without-addon,
// tensorflow and cpu backends run: what the memory plan's composite terms are checked against.
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_GPU } from '../ops/fused';

/** Unregisters the fused attention pair on `backend`; returns how to register it again. */
export function withoutFusedAttention(backend = 'native'): () => void {
  const k = [FUSED_GPU.attention, FUSED_GPU.attentionGrad].map((n) => tf.getKernel(n, backend)).filter((c): c is tf.KernelConfig => c !== undefined);
  for (const c of k) tf.unregisterKernel(c.kernelName, backend);
  return () => { for (const c of k) tf.registerKernel(c); };
}
