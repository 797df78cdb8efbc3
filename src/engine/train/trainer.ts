// The training loop (the trainer half of minGPT's model/trainer split): seeded batches, gradient
// accumulation, AdamW with warmup and a schedule, logging, evaluation with per-example distributions,
// atomic checkpoints, stopping and resuming. It sees the model only through CausalLM and the loss only
// through preferenceLoss; it syncs with the host only when it logs, evaluates or saves.
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../../common/config';
import type { EngineEvent, FinishedEvent, ErrorEvent } from '../../common/events';
import { EVAL_PREFIX, type MetricsRow } from '../../common/metrics';
import { BatchLoader } from '../data/loader';
import type { TokenizedPair } from '../data/tokenize';
import { METRIC_ORDER, type LossSettings } from '../loss/preference';
import { trainableParams } from '../model/lora';
import type { CausalLM } from '../model/types';
import type { Tokenizer } from '../tokenizer/types';
import { CheckpointWriteError, loadOptimizer, pruneCheckpoints, saveCheckpoint, saveFinalModel, type TrainerState } from './checkpoint';
import { readTrainerState } from './checkpointCheck';
import { evaluate } from './evaluate';
import { isMemoryFault, memoryFaultMessage, planFor } from './fatal';
import { runShapeOf } from './runShape';
import { AdamW } from './optimizer';
import type { RunFiles } from './runDir';
import { PendingRead } from './pendingRead';
import { lrFactor, warmupSteps } from './schedule';
import { releaseGpuPool } from '../backend/webgpu/pool';
import { collateFor, disposeBatch, gradients, referenceSums, toTensors } from './step';

export interface TrainerOptions {
  cfg: ExperimentConfig;
  configYaml: string;
  model: CausalLM;
  /** DPO's frozen reference (a copy of the initial weights). */
  ref?: CausalLM;
  tokenizer: Tokenizer;
  train: readonly TokenizedPair[];
  eval: readonly TokenizedPair[];
  files: RunFiles;
  totalSteps: number;
  /** A checkpoint directory to continue from (the model was already loaded from it). */
  resumeFrom?: string;
  /** Generates completions for the fixed eval prompts (eval samples); optional. */
  sample?: (step: number) => Promise<{ prompt: string; completion: string }[]>;
  emit: (e: EngineEvent) => void;
  log: (line: string) => void;
  stopRequested: () => boolean;
}

/** Optimizer steps for a config: max_steps, or epochs over the batches of the training set. */
export function totalSteps(cfg: ExperimentConfig, nTrain: number): number {
  if (cfg.train.max_steps !== undefined) return cfg.train.max_steps;
  const perEpoch = Math.ceil(nTrain / cfg.train.batch_size / cfg.train.grad_accum);
  return Math.max(1, Math.ceil((cfg.train.epochs ?? 1) * perEpoch));
}

export function lossSettings(cfg: ExperimentConfig): LossSettings {
  return { method: cfg.method, lambda: cfg.lambda, beta: cfg.beta, nllOnPrompt: cfg.nll_on_prompt };
}

export async function runTraining(o: TrainerOptions): Promise<FinishedEvent | ErrorEvent> {
  const { cfg, model, files } = o;
  const tc = cfg.train;
  const settings = lossSettings(cfg);
  const padId = o.tokenizer.padId;
  const loader = new BatchLoader(o.train, { batchSize: tc.batch_size, seed: cfg.seed });
  const params = trainableParams(model); // the adapter's tensors alone under LoRA: the base has no moments
  const opt = new AdamW(params, { beta1: tc.adam_beta1, beta2: tc.adam_beta2, eps: tc.adam_eps, weightDecay: tc.weight_decay, maxGradNorm: tc.max_grad_norm }, (n) => model.noDecay(n));
  let step = 0;
  let elapsedBefore = 0;
  let lastCheckpoint: string | undefined;
  let savedAt = -1;
  let memoryFault = false;
  if (o.resumeFrom) {
    const st = readTrainerState(o.resumeFrom, o.totalSteps);
    await loadOptimizer(o.resumeFrom, opt, st);
    step = st.step;
    elapsedBefore = st.elapsed_s;
    loader.restore(st.loader);
    savedAt = step;
    for (const f of [files.metrics, files.distributions, files.samples]) {
      const { dropped, backup } = f.truncateAfter(step);
      if (!dropped) continue;
      const message = `${f.path}: removed ${dropped} row${dropped === 1 ? '' : 's'} written after checkpoint step ${step} (they are redone from the checkpoint); a copy is in ${backup}`;
      o.log(message);
      o.emit({ type: 'warning', message });
    }
    o.log(`resumed from ${o.resumeFrom} at step ${step}`);
  }
  const reads = new PendingRead();
  const started = performance.now();
  const elapsed = () => elapsedBefore + (performance.now() - started) / 1000;
  const summary: Record<string, number> = {};
  /** Fractional epochs completed after `s` optimizer steps. */
  const epochAt = (s: number) => (s * tc.grad_accum) / loader.batchesPerEpoch;

  /** Whether every parameter is finite (a sum of |p| overflows to Infinity on huge values too). */
  const finiteParams = async (): Promise<boolean> => {
    const t = tf.tidy(() => [...params.values()].reduce<tf.Tensor>((acc, p) => tf.add(acc, tf.sum(tf.abs(p))), tf.scalar(0)));
    const ok = Number.isFinite((await t.data())[0]);
    t.dispose();
    return ok;
  };
  const save = async (): Promise<void> => {
    const state: TrainerState = { step, epoch: epochAt(step), optimizer_t: opt.t, loader: loader.state(), elapsed_s: elapsed(), total_steps: o.totalSteps };
    lastCheckpoint = await saveCheckpoint(files.dir, model, o.tokenizer, opt, state, o.configYaml);
    savedAt = step;
    o.emit({ type: 'checkpoint', step, path: lastCheckpoint });
    for (const gone of pruneCheckpoints(files.dir, tc.save_total_limit, lastCheckpoint)) o.log(`removed ${gone} (train.save_total_limit ${tc.save_total_limit})`);
  };
  const lastGood = () => (lastCheckpoint ? ` The last good checkpoint is ${lastCheckpoint}.` : ' No checkpoint was written yet.');
  const fail = (message: string, at = step): ErrorEvent => {
    const e: ErrorEvent = { type: 'error', message, step: at, ...(lastCheckpoint ? { checkpoint: lastCheckpoint } : {}) };
    o.log(`error: ${message}`);
    o.emit(e);
    return e;
  };
  const runEval = async (): Promise<void> => {
    const ev = await evaluate(model, o.eval, { settings, batchSize: tc.batch_size, padId, ref: o.ref });
    releaseGpuPool(); // WebGPU: the eval batches' buffers go back to the device, not to the pool
    if (!ev) return;
    const row: MetricsRow = { step, epoch: epochAt(step), time: elapsed() };
    for (const [k, v] of Object.entries(ev.metrics)) row[EVAL_PREFIX + k] = v;
    files.metrics.append(row);
    o.emit({ type: 'metrics', split: 'eval', row });
    Object.assign(summary, Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith(EVAL_PREFIX))));
    const dist = { step, ...ev.distributions };
    files.distributions.append(dist);
    o.emit({ type: 'distributions', row: dist });
    if (o.sample && tc.eval_samples > 0) {
      for (const s of await o.sample(step)) {
        files.samples.append({ step, ...s });
        o.emit({ type: 'sample', step, ...s });
      }
    }
  };

  try {
    if (o.resumeFrom) {
      if (!(await finiteParams())) {
        return fail(`${o.resumeFrom}/model.safetensors: the checkpoint's weights are not finite (NaN or Infinity), so it cannot be resumed; resume from an earlier checkpoint or start a new run.`);
      }
      lastCheckpoint = o.resumeFrom;
    }
    while (step < o.totalSteps) {
      // Yield to the event loop once a step: on CPU backends every await above resolves as a microtask,
      // and stdin stop lines and signals are only handled between macrotasks.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (o.stopRequested()) break;
      const t0 = performance.now();
      let tokens = 0;
      let acc: Map<string, tf.Tensor> | undefined;
      let metricSum: tf.Tensor1D | undefined;
      const atStepStart = loader.state();
      let abandoned = false;
      for (let k = 0; k < tc.grad_accum; k++) {
        if (k > 0) {
          // A stop between micro-batches abandons the partial step: the checkpoint is the last whole step.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (o.stopRequested()) { abandoned = true; break; }
        }
        const next = loader.next();
        const bt = toTensors(collateFor(model, next.batch, padId));
        tokens += bt.tokens;
        const refSums = o.ref ? referenceSums(o.ref, bt) : undefined;
        const g = gradients(model, bt, { ...settings, refSums });
        disposeBatch(bt);
        refSums?.dispose();
        if (!acc) acc = g.grads;
        else for (const [n, t] of g.grads) { const prev = acc.get(n) as tf.Tensor; acc.set(n, tf.add(prev, t)); tf.dispose([prev, t]); }
        const prevM = metricSum;
        metricSum = prevM ? (tf.add(prevM, g.metrics) as tf.Tensor1D) : g.metrics;
        if (prevM) tf.dispose([prevM, g.metrics]);
      }
      if (abandoned) {
        tf.dispose([...(acc?.values() ?? []), ...(metricSum ? [metricSum] : [])]);
        loader.restore(atStepStart);
        break;
      }
      const grads = acc as Map<string, tf.Tensor>;
      if (tc.grad_accum > 1) for (const [n, t] of grads) { grads.set(n, tf.div(t, tc.grad_accum)); t.dispose(); }
      const lr = tc.learning_rate * lrFactor(tc.schedule, step, warmupSteps(tc, o.totalSteps), o.totalSteps);
      const norm = opt.step(grads, lr);
      tf.dispose([...grads.values()]);
      step += 1;
      const last = step === o.totalSteps;
      const mustLog = step % tc.log_every === 0 || last;
      const mustSave = step % tc.save_every === 0 || last;
      if (mustLog || mustSave) {
        // Metrics and grad norm in one tensor: one GPU → CPU read per logged step (issue 11), started
        // now and handled once the previous step's read has landed (train/pendingRead.ts).
        const packed = tf.tidy(() => tf.concat([tf.div(metricSum as tf.Tensor1D, tc.grad_accum), tf.reshape(norm, [1])])); // [METRICS + 1]
        tf.dispose([norm, metricSum as tf.Tensor]);
        const prev = await reads.settle();
        if (prev) { packed.dispose(); return fail(prev.message, prev.step); }
        const at = step;
        reads.issue(packed, (vals) => {
          const gn = vals[METRIC_ORDER.length] as number;
          const seconds = (performance.now() - t0) / 1000;
          const row: MetricsRow = { step: at, epoch: epochAt(at), time: elapsed() };
          METRIC_ORDER.forEach((k, i) => { row[k] = vals[i] as number; });
          Object.assign(row, { learning_rate: lr, grad_norm: gn, tokens_per_second: tokens / seconds });
          if (!Number.isFinite(row.loss) || !Number.isFinite(gn)) {
            return { step: at, message: `the loss became ${row.loss} (grad_norm ${gn}) at step ${at}; training stopped. Lower train.learning_rate or raise train.warmup_steps.${lastGood()}` };
          }
          if (mustLog) {
            files.metrics.append(row);
            o.emit({ type: 'metrics', split: 'train', row });
            Object.assign(summary, row);
          }
          return undefined;
        });
      } else tf.dispose([norm, metricSum as tf.Tensor]);
      const evalDue = step % tc.eval_every === 0 || last;
      if (mustSave || evalDue) {
        const f = await reads.settle(); // this step's row first: a non-finite loss is not saved or evaluated
        if (f) return fail(f.message, f.step);
      }
      if (mustSave && !(await finiteParams())) {
        return fail(`the parameters became non-finite after step ${step}; training stopped. Lower train.learning_rate or raise train.warmup_steps.${lastGood()}`);
      }
      if (evalDue) await runEval();
      if (mustSave) await save();
    }
    const f = await reads.settle();
    if (f) return fail(f.message, f.step);
    const stopped = step < o.totalSteps;
    if (stopped && savedAt !== step && step > 0) {
      if (!(await finiteParams())) return fail(`the parameters became non-finite by step ${step}; the run stopped without a checkpoint.${lastGood()}`);
      await save();
    }
    // A completed run's model, apart from its checkpoints and without optimizer state (Trainer.save_model).
    const modelDir = stopped ? undefined : await saveFinalModel(files.dir, model, o.tokenizer);
    if (modelDir) o.log(`final model: ${modelDir}`);
    const done: FinishedEvent = { type: 'finished', reason: stopped ? 'stopped' : 'completed', step, run_dir: files.dir, wall_s: elapsed(), summary, ...(modelDir ? { model_dir: modelDir } : {}) };
    o.emit(done);
    return done;
  } catch (e) {
    if (isMemoryFault(e)) {
      memoryFault = true;
      const plan = planFor({ modelConfig: model.config, backend: tf.getBackend(), shape: runShapeOf(model, cfg), pretrained: cfg.model.from !== 'scratch' });
      return fail(memoryFaultMessage(e, step + 1, lastCheckpoint, plan));
    }
    // A full disk or any other fault: said in words, with the step and the last good checkpoint.
    if (e instanceof CheckpointWriteError || (e as NodeJS.ErrnoException).code === 'ENOSPC') return fail(`${(e as Error).message}.${lastGood()}`);
    throw e;
  } finally {
    // After a memory fault the backend is unusable: touch nothing more.
    if (!memoryFault) opt.dispose();
  }
}

