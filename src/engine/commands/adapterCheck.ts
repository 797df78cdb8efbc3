// Before a run on WebGPU: does its largest buffer fit the GPU adapter's limit on one buffer? WebGPU
// reports no memory size, only per-buffer limits, and a buffer over them fails inside tfjs-webgpu with
// a validation error mid-step. The memory plan (server/service/memoryPlan.ts) names the buffer, the
// limit and the changes that fit; the run stops before it starts, in words.
import type { ExperimentConfig } from '../../common/config';
import type { CausalLM } from '../model/types';
import { adapterLimitProblem, dimsFromHf, type AdapterLimits } from '../../server/service/memoryPlan';
import { webgpuLimits } from '../backend/webgpu/limits';
import { runShapeOf } from '../train/runShape';

/** Why `model` cannot train on the active WebGPU device with `cfg`'s batch and length; undefined when it fits or another backend runs. */
export function adapterProblem(model: CausalLM, cfg: ExperimentConfig, limits: AdapterLimits | undefined = webgpuLimits()): string | undefined {
  const dims = limits && dimsFromHf(model.config);
  if (!limits || !dims) return undefined;
  return adapterLimitProblem(dims, runShapeOf(model, cfg), limits, cfg.model.from !== 'scratch');
}
