// Trainer tests as the best ML code does them: parameters change after a step, no tensor leaks,
// the model overfits 4 pairs, a checkpoint round trip keeps the logits, and a stopped-then-resumed
// run logs the same metrics as an uninterrupted one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { resolveConfig, type ExperimentConfig } from '../../common/config';
import type { EngineEvent } from '../../common/events';
import { collate } from '../data/batch';
import { tokenizePair, type TokenizedPair } from '../data/tokenize';
import { loadModelDir } from '../hf/load';
import { createScratchGpt2 } from '../model/gpt';
import type { CausalLM } from '../model/types';
import { useCpu } from '../testing/tf';
import { ByteTokenizer } from '../tokenizer/bytes';
import { AdamW } from './optimizer';
import { latestCheckpoint } from './checkpoint';
import { runFiles } from './runDir';
import { gradients, toTensors } from './step';
import { lossSettings, runTraining } from './trainer';
import { backendLimit, describe, dimsScratch, estimatePeak } from '../../server/service/memoryPlan';

const tok = new ByteTokenizer();
const texts: [string, string, string][] = [
  ['Q: capital of France?\nA:', ' Paris.', ' Rome.'],
  ['Q: 2+2?\nA:', ' 4.', ' 5.'],
  ['Q: color of the sky?\nA:', ' Blue.', ' Green.'],
  ['Q: opposite of hot?\nA:', ' Cold.', ' Warm.'],
];
const pairs: TokenizedPair[] = texts.map(([prompt, chosen, rejected]) => tokenizePair({ prompt, chosen, rejected }, tok, { maxLength: 64, maxPromptLength: 32 }) as TokenizedPair);

function config(over: Record<string, unknown> = {}, train: Record<string, unknown> = {}): ExperimentConfig {
  return resolveConfig({
    name: 't', seed: 3, method: 'orpo', lambda: 1, model: { layers: 1, d_model: 32, heads: 2, context: 64 },
    data: { train: 'x.jsonl' }, train: { batch_size: 4, max_steps: 10, learning_rate: 3e-3, warmup_steps: 0, schedule: 'constant', eval_every: 1000, save_every: 1000, eval_samples: 0, ...train },
    ...over,
  });
}

type TrainOpts = { stopAfter?: number; resume?: boolean; trainPairs?: TokenizedPair[]; stop?: () => boolean; wrap?: (m: CausalLM) => CausalLM };
async function train(cfg: ExperimentConfig, dir: string, opts: TrainOpts = {}) {
  const events: EngineEvent[] = [];
  const resumeFrom = opts.resume ? latestCheckpoint(dir) : undefined;
  const plain = resumeFrom ? (await loadModelDir(resumeFrom)).model : createScratchGpt2(cfg.model, tok.vocabSize, tok.eosId, cfg.seed);
  const model = opts.wrap ? opts.wrap(plain) : plain;
  let steps = 0;
  const result = await runTraining({
    cfg, configYaml: 'name: t\n', model, tokenizer: tok, train: opts.trainPairs ?? pairs, eval: pairs.slice(0, 2), files: runFiles(dir),
    totalSteps: cfg.train.max_steps as number, resumeFrom,
    emit: (e) => { events.push(e); if (e.type === 'metrics' && e.split === 'train') steps++; },
    log: () => {}, stopRequested: opts.stop ?? (() => opts.stopAfter !== undefined && steps >= opts.stopAfter),
  });
  return { events, result, model };
}

test('parameters change after one step, and a step leaks no tensors', async () => {
  await useCpu();
  const cfg = config();
  const model = createScratchGpt2(cfg.model, tok.vocabSize, tok.eosId, 1);
  const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1 }, (n) => model.noDecay(n));
  const before = new Map([...model.params].map(([n, v]) => [n, v.dataSync().slice()]));
  const step = () => {
    const bt = toTensors(collate(pairs, { padId: tok.padId }));
    const g = gradients(model, bt, lossSettings(cfg));
    const norm = opt.step(g.grads, 1e-2);
    tf.dispose([...g.grads.values(), g.metrics, norm, bt.ids, bt.targets, bt.respMask, bt.seqMask]);
  };
  step();
  const n1 = tf.memory().numTensors;
  step();
  step();
  assert.equal(tf.memory().numTensors, n1, 'tensor count grows from step to step');
  for (const [n, v] of model.params) assert.notDeepEqual(v.dataSync(), before.get(n), `${n} did not change`);
  opt.dispose();
  model.dispose();
});

test('the model overfits 4 pairs: rewards/accuracies reaches 1.0 and the margin grows', async () => {
  await useCpu();
  const dir = mkdtempSync(join(tmpdir(), 'orpo-overfit-'));
  const { events, model } = await train(config({}, { max_steps: 60, learning_rate: 1e-2 }), dir);
  const rows = events.flatMap((e) => (e.type === 'metrics' && e.split === 'train' ? [e.row] : []));
  const last = rows.at(-1) as Record<string, number>;
  const first = rows[0] as Record<string, number>;
  assert.equal(last['rewards/accuracies'], 1, `accuracy ${last['rewards/accuracies']}`);
  assert.ok((last['rewards/margins'] as number) > (first['rewards/margins'] as number) + 0.05, 'margin did not grow');
  assert.ok((last.loss as number) < (first.loss as number) / 2, 'loss did not fall');
  model.dispose();
});

test('a checkpoint round trip gives identical logits', async () => {
  await useCpu();
  const dir = mkdtempSync(join(tmpdir(), 'orpo-ckpt-'));
  const { model } = await train(config({}, { max_steps: 2, save_every: 2 }), dir);
  const ckpt = latestCheckpoint(dir) as string;
  assert.match(ckpt, /checkpoint-2$/);
  const loaded = (await loadModelDir(ckpt)).model;
  const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6], [9, 8, 7, 6, 5, 4]], undefined, 'int32');
  assert.deepEqual(loaded.forward(ids).dataSync(), model.forward(ids).dataSync());
  const state = JSON.parse(readFileSync(join(ckpt, 'trainer_state.json'), 'utf8')) as { step: number };
  assert.equal(state.step, 2);
  loaded.dispose();
  model.dispose();
});

test('stop and resume: the metrics equal those of an uninterrupted run', async () => {
  await useCpu();
  const many = [...pairs, ...pairs.map((p) => ({ ...p, prompt: [...p.prompt, 32] }))];
  const cfg = config({}, { max_steps: 8, batch_size: 3, eval_every: 4, save_every: 100, learning_rate: 3e-3 });
  const full = await train(cfg, mkdtempSync(join(tmpdir(), 'orpo-full-')), { trainPairs: many });
  const dir = mkdtempSync(join(tmpdir(), 'orpo-resume-'));
  const first = await train(cfg, dir, { trainPairs: many, stopAfter: 3 });
  assert.equal(first.result.type, 'finished');
  assert.equal((first.result as { reason: string }).reason, 'stopped');
  first.model.dispose();
  const second = await train(cfg, dir, { trainPairs: many, resume: true });
  assert.equal((second.result as { reason: string }).reason, 'completed');
  const rows = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  const a = rows(join(dir, 'metrics.jsonl'));
  const b = full.events.flatMap((e) => (e.type === 'metrics' ? [e.row] : []));
  assert.equal(a.length, b.length);
  a.forEach((row, i) => {
    for (const [k, v] of Object.entries(b[i] as Record<string, number>)) {
      if (k === 'time' || k === 'tokens_per_second') continue;
      assert.ok(Math.abs((row[k] as number) - v) <= 1e-4, `row ${i} ${k}: ${row[k]} vs ${v}`);
    }
  });
  full.model.dispose();
  second.model.dispose();
});

test('a non-finite loss found by a read issued without waiting names its own step, and no later row is written', async () => {
  await useCpu();
  const dir = mkdtempSync(join(tmpdir(), 'orpo-nan-async-'));
  // no checkpoint until the end: each step's read is settled only while the next step runs
  const cfg = config({}, { max_steps: 8, learning_rate: 1e38, warmup_steps: 3, schedule: 'constant', max_grad_norm: 0, save_every: 1000, log_every: 1 });
  const { events, result, model } = await train(cfg, dir);
  assert.equal(result.type, 'error');
  const rows = events.flatMap((e) => (e.type === 'metrics' && e.split === 'train' ? [e.row.step] : []));
  const bad = result.type === 'error' ? (result.step ?? 0) : 0;
  assert.ok(bad > 1 && bad < 8, JSON.stringify(result));
  assert.deepEqual(rows, Array.from({ length: bad - 1 }, (_, i) => i + 1), 'rows of every step before the bad one, in order');
  assert.ok(result.type === 'error' && result.message.includes(`at step ${bad};`), result.message);
  const logged = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
  assert.deepEqual(logged, rows);
  model.dispose();
});

test('a non-finite loss stops the run with an error event and keeps the last good checkpoint', async () => {
  await useCpu();
  const dir = mkdtempSync(join(tmpdir(), 'orpo-nan-'));
  // lr factor 0 at step 0 (a good checkpoint at step 1), then 1e38: the weights overflow.
  const cfg = config({}, { max_steps: 6, learning_rate: 1e38, warmup_steps: 3, schedule: 'constant', max_grad_norm: 0, save_every: 1 });
  const { events, result, model } = await train(cfg, dir);
  assert.equal(result.type, 'error');
  const err = events.at(-1);
  assert.ok(err?.type === 'error' && /non-finite|became/.test(err.message), JSON.stringify(err));
  assert.ok(err.type === 'error' && err.checkpoint?.endsWith('checkpoint-1'), `last good checkpoint: ${err.type === 'error' ? err.checkpoint : ''}`);
  assert.equal(events.some((e) => e.type === 'finished'), false);
  const good = (await loadModelDir(err.checkpoint as string)).model;
  const logits = tf.tidy(() => good.forward(tf.tensor2d([[1, 2, 3]], undefined, 'int32')).dataSync());
  assert.ok(logits.every(Number.isFinite), 'the kept checkpoint is finite');
  good.dispose();
  model.dispose();
});

test('a stop between micro-batches ends the run at the last whole step, with the data position of that step', async () => {
  await useCpu();
  const dir = mkdtempSync(join(tmpdir(), 'orpo-accum-'));
  // batch 1 × grad_accum 3: calls 1-3 are step 1 (its top, then before micro-batches 2 and 3); call 5
  // comes after step 2's first micro-batch.
  let calls = 0;
  const cfg = config({}, { max_steps: 5, batch_size: 1, grad_accum: 3, save_every: 100 });
  const { events, result, model } = await train(cfg, dir, { stop: () => ++calls >= 5 });
  assert.ok(result.type === 'finished' && result.reason === 'stopped' && result.step === 1, JSON.stringify(result));
  assert.equal(calls, 5, 'stop was checked between micro-batches, not only between steps');
  const state = JSON.parse(readFileSync(join(dir, 'checkpoints', 'checkpoint-1', 'trainer_state.json'), 'utf8')) as { loader: { epoch: number; position: number } };
  assert.deepEqual(state.loader, { epoch: 0, position: 3 }, 'the abandoned micro-batch is served again on resume');
  assert.equal(events.filter((e) => e.type === 'metrics' && e.split === 'train').length, 1);
  model.dispose();
});

/** A module whose only function reads past its 64 KiB memory: calling it raises a real WebAssembly.RuntimeError. */
const OUT_OF_BOUNDS = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00,
  0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,
  0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0xa0, 0x8d, 0x06, 0x28, 0x02, 0x00, 0x0b,
]);

test('a wasm memory fault stops the run with words, writes no checkpoint after it and trains no further', async () => {
  await useCpu();
  const dir = mkdtempSync(join(tmpdir(), 'orpo-oom-'));
  const trap = new WebAssembly.Instance(new WebAssembly.Module(OUT_OF_BOUNDS)).exports.f as () => number;
  assert.throws(() => trap(), /memory access out of bounds/, 'the fixture traps for real');
  let forwards = 0;
  // The fault comes in step 2's forward pass, as a heap exhausted mid-step would.
  const wrap = (m: CausalLM): CausalLM => new Proxy(m, {
    get: (t, k, r) => (k === 'forward' || k === 'hidden' ? (ids: tf.Tensor2D, lens?: ArrayLike<number>) => { if (++forwards === 2) trap(); return k === 'forward' ? t.forward(ids, lens) : t.hidden(ids, lens); } : Reflect.get(t, k, r) as unknown),
  });
  const cfg = config({}, { max_steps: 4, save_every: 1 });
  const { events, result, model } = await train(cfg, dir, { wrap });
  assert.equal(result.type, 'error');
  const err = events.at(-1);
  assert.ok(err?.type === 'error', JSON.stringify(err));
  assert.match(err.message, /^out of memory at step 2: .*memory access out of bounds.*no checkpoint was written after it\. The last good checkpoint is .*checkpoint-1\. The memory plan estimated a peak of /);
  // The plan's figures are the run's: its model (1 block, width 32, 2 heads, 64 positions, bytes), batch and
  // length (data.max_length capped at the 64 positions: no longer sequence can run).
  const est = estimatePeak(dimsScratch(1, 32, 2, 64, 257), { rows: 2 * 4, T: Math.min(cfg.data.max_length, 64), checkpointing: false, reference: false });
  assert.ok(err.message.includes(`estimated a peak of ${describe(est)}, within ${backendLimit('cpu').what}`), err.message);
  assert.match(err.message, /Changes that cut the estimated peak by a quarter or more: .*train\.batch_size: 2 with grad_accum × 2.*\. Change the config and run again \(model\.from: .*checkpoint-1 starts from its weights\)\.$/);
  assert.ok(err.checkpoint?.endsWith('checkpoint-1'));
  assert.deepEqual(events.filter((e) => e.type === 'checkpoint').map((e) => (e as { step: number }).step), [1]);
  assert.equal(latestCheckpoint(dir), err.checkpoint);
  assert.equal(forwards, 2, 'nothing ran after the fault');
  assert.equal(events.some((e) => e.type === 'finished'), false);
  model.dispose();
});

test('train.save_total_limit keeps the newest checkpoints, named checkpoint-N, each with a manifest', async () => {
  await useCpu();
  const dir = mkdtempSync(join(tmpdir(), 'orpo-limit-'));
  const { result, model } = await train(config({}, { max_steps: 4, save_every: 1, save_total_limit: 2 }), dir);
  assert.equal(result.type, 'finished');
  const { readdirSync, existsSync } = await import('node:fs');
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), ['checkpoint-3', 'checkpoint-4']);
  assert.ok(existsSync(join(dir, 'checkpoints', 'checkpoint-4', 'manifest.json')));
  model.dispose();
});

test('a completed run saves its final model apart (RUN/final: no optimizer state), loadable as model.from; a stopped run does not', async () => {
  await useCpu();
  const { readdirSync, existsSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'orpo-final-'));
  const { events, result, model } = await train(config({}, { max_steps: 2, save_every: 1 }), dir);
  assert.ok(result.type === 'finished' && result.reason === 'completed');
  const final = join(dir, 'final');
  assert.equal(result.model_dir, final);
  assert.deepEqual(readdirSync(final).sort(), ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
  assert.ok(existsSync(join(dir, 'checkpoints', 'checkpoint-2', 'optimizer.safetensors')), 'the checkpoint keeps the optimizer');
  assert.deepEqual(events.filter((e) => e.type === 'finished').map((e) => (e as { model_dir?: string }).model_dir), [final]);
  // The final weights are the trained model's, as transformers would load them (tokenizer included).
  const loaded = await loadModelDir(final);
  assert.ok(loaded.tokenizer, 'the tokenizer files load');
  const ids = tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32');
  const [a, b] = [model.forward(ids), loaded.model.forward(ids)];
  assert.deepEqual(Array.from(await b.data()), Array.from(await a.data()));
  tf.dispose([ids, a, b]);
  loaded.model.dispose();
  model.dispose();
  const stopDir = mkdtempSync(join(tmpdir(), 'orpo-final-stop-'));
  const stopped = await train(config({}, { max_steps: 4 }), stopDir, { stopAfter: 1 });
  assert.ok(stopped.result.type === 'finished' && stopped.result.reason === 'stopped' && stopped.result.model_dir === undefined);
  assert.equal(existsSync(join(stopDir, 'final')), false);
  stopped.model.dispose();
});
