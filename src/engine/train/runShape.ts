// A run as the memory plan (server/service/memoryPlan.ts) sees it, built from the loaded model and the
// config in one place for the engine's two checks: the words of an out-of-memory fault (fatal.ts) and
// the GPU adapter's per-buffer limits before a run (commands/adapterCheck.ts).
import type { ExperimentConfig } from '../../common/config';
import { Lora } from '../model/lora';
import type { CausalLM } from '../model/types';
import { hasFusedAttention } from '../ops/nn';
import { dimsFromHf, type RunShape } from '../../server/service/memoryPlan';

/** The run's shape on the active backend: rows and length (capped at the model's context: no longer sequence can run), its options. */
export function runShapeOf(model: CausalLM, cfg: ExperimentConfig): RunShape {
  const hd = dimsFromHf(model.config)?.hd;
  return {
    rows: 2 * cfg.train.batch_size,
    T: Math.min(cfg.data.max_length, model.context),
    checkpointing: cfg.train.gradient_checkpointing,
    reference: cfg.method === 'dpo',
    frozen16: model.halves.size > 0,
    fusedAttention: hd !== undefined && hasFusedAttention(hd),
    ...(model.adapter instanceof Lora ? { lora: { r: model.adapter.settings.r, targets: model.adapter.modules } } : {}),
  };
}
