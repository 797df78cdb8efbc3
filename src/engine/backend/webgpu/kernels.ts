// Our WGSL kernels registered into tfjs-backend-webgpu under the fused-kernel names of
// ops/fused.ts, as backend/native does for wasm, so model, loss and optimizer code call them on
// every backend. ORPO_LAB_WGSL=0 leaves tfjs-webgpu's own kernels alone (for comparisons).
import * as tf from '@tensorflow/tfjs-core';
import { FUSED, FUSED_GPU, FUSED_HALF } from '../../ops/fused';
import { adamwMulti } from './adamw';
import { attention, attentionGrad } from './attention';
import { biasAdd, biasGrad } from './bias';
import { embedding, embeddingGrad } from './embedding';
import { gelu, geluGrad } from './gelu';
import { halfGather, halfMatmul } from './half';
import { layerNorm, layerNormGrad, rmsNorm, rmsNormGrad } from './norm';
import { logSoftmaxPick, logSoftmaxPickGrad } from './pick';
import { swiglu, swigluGrad } from './swiglu';
import type { WebgpuBackend } from './raw';

type Body = (b: WebgpuBackend, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, number>) => tf.TensorInfo | tf.TensorInfo[];

function webgpuKernel(name: string, body: Body): void {
  tf.registerKernel({
    kernelName: name,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => body(backend as unknown as WebgpuBackend, inputs as Record<string, tf.TensorInfo>, attrs as unknown as Record<string, number>),
  });
}

/** Registers the WGSL kernels; returns why not when turned off. */
export function registerWebgpuKernels(): string | undefined {
  if (process.env.ORPO_LAB_WGSL === '0') return 'turned off by ORPO_LAB_WGSL=0';
  if (tf.getKernel(FUSED_GPU.adamwMulti, 'webgpu')) return undefined;
  webgpuKernel(FUSED_GPU.adamwMulti, adamwMulti);
  webgpuKernel(FUSED.layerNorm, layerNorm);
  webgpuKernel(FUSED.layerNormGrad, layerNormGrad);
  webgpuKernel(FUSED.logSoftmaxPick, logSoftmaxPick);
  webgpuKernel(FUSED.logSoftmaxPickGrad, logSoftmaxPickGrad);
  webgpuKernel(FUSED.gelu, gelu);
  webgpuKernel(FUSED.geluGrad, geluGrad);
  webgpuKernel(FUSED_GPU.attention, attention);
  webgpuKernel(FUSED_GPU.attentionGrad, attentionGrad);
  webgpuKernel(FUSED_GPU.rmsNorm, rmsNorm);
  webgpuKernel(FUSED_GPU.rmsNormGrad, rmsNormGrad);
  webgpuKernel(FUSED_GPU.swiglu, swiglu);
  webgpuKernel(FUSED_GPU.swigluGrad, swigluGrad);
  webgpuKernel(FUSED_GPU.biasAdd, biasAdd);
  webgpuKernel(FUSED_GPU.biasGrad, biasGrad);
  webgpuKernel(FUSED_GPU.embedding, embedding);
  webgpuKernel(FUSED_GPU.embeddingGrad, embeddingGrad);
  webgpuKernel(FUSED_HALF.matmul, halfMatmul);
  webgpuKernel(FUSED_HALF.gather, halfGather);
  return undefined;
}
