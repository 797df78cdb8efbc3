// The engine CLI as a process: exit codes, stdout carrying only events, refusing a bad config before
// any data is read, a bad data row with file:line, and stopping through stdin and SIGTERM (the run
// checkpoints, reports `stopped`, exits 0) then resuming from the checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { badDataFile, orpoConfig, root, runCli } from './cli';

const data = join(root, 'examples/data/hh-rlhf-tiny.jsonl.gz');

function config(dir: string, extra = '', train = 'max_steps: 6'): string {
  return orpoConfig(dir, { train: `${train}, eval_every: 3, save_every: 3, eval_samples: 1`, backend: 'cpu', extra });
}

test('--help exits 0; an unknown command exits 2', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  const unknown = await runCli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command/);
});

test('an invalid config exits 2 with file:line:col messages before loading data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cli-'));
  const p = config(dir, 'lambda: -1\n');
  const r = await runCli(['train', p]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: .*lambda`));
  assert.equal(r.events.length, 0, 'no events before the config is valid');
  assert.equal(existsSync(join(dir, 'runs')), false, 'no run directory');
});

test('a bad data row exits 2 naming the file, the line and the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cli-'));
  const bad = badDataFile(dir);
  const p = config(dir);
  writeFileSync(p, readFileSync(p, 'utf8').replace(data, bad).replace('limit: 16', 'limit: 100'));
  const r = await runCli(['train', p]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /bad\.jsonl:61: .*chosen.*rejected|bad\.jsonl:61: .*identical/);
});

test('a run writes its files; stdout carries only valid events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cli-'));
  const out = join(dir, 'run');
  const r = await runCli(['train', config(dir), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.bad, []);
  assert.deepEqual(r.events.slice(0, 2).map((e) => e.type), ['backend', 'started'], 'the backend and why first');
  assert.equal(r.events.at(-1)?.type, 'finished');
  for (const f of ['config.yaml', 'metrics.jsonl', 'distributions.jsonl', 'samples.jsonl', 'checkpoints/checkpoint-6/model.safetensors', 'checkpoints/checkpoint-6/trainer_state.json']) {
    assert.ok(existsSync(join(out, f)), `${f} exists`);
  }
  const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  const keys = ['step', 'epoch', 'loss', 'learning_rate', 'grad_norm', 'tokens_per_second', 'rewards/chosen', 'rewards/rejected', 'rewards/accuracies', 'rewards/margins', 'logps/chosen', 'logps/rejected', 'logits/chosen', 'logits/rejected', 'nll_loss', 'log_odds_ratio', 'log_odds_chosen'];
  for (const k of keys) assert.equal(typeof rows[0]?.[k], 'number', `train row has ${k}`);
  assert.ok(rows.some((row) => typeof row['eval/rewards/margins'] === 'number'), 'eval rows carry eval/ keys');
  const dist = JSON.parse(readFileSync(join(out, 'distributions.jsonl'), 'utf8').split('\n')[0] as string) as Record<string, number[]>;
  assert.equal(dist.chosen_logps?.length, 4, 'one value per eval pair');
});

test('a {"type":"stop"} line stops the run with a checkpoint; --resume finishes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cli-'));
  const out = join(dir, 'run');
  const p = config(dir, '', 'max_steps: 40');
  let sent = false;
  const r = await runCli(['train', p, '--out', out], (e, child) => {
    if (!sent && e.type === 'metrics' && e.split === 'train' && e.row.step === 2) { sent = true; child.stdin?.write('{"type":"stop"}\n'); }
  });
  assert.equal(r.code, 0, r.stderr);
  const fin = r.events.at(-1);
  assert.ok(fin?.type === 'finished' && fin.reason === 'stopped', JSON.stringify(fin));
  assert.ok(r.events.some((e) => e.type === 'checkpoint' && e.step === fin.step), 'checkpoint at the stop step');
  const resumed = await runCli(['train', join(out, 'config.yaml'), '--resume', out, '--max-steps', '8']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const started = resumed.events.find((e) => e.type === 'started');
  assert.ok(started?.type === 'started' && started.start_step === fin.step, 'started reports the resume step');
  const done = resumed.events.at(-1);
  assert.ok(done?.type === 'finished' && done.reason === 'completed' && done.step === 8);
  const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number }).filter((x) => x.loss !== undefined).map((x) => x.step);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8].slice(0, steps.length), 'no duplicated or missing steps');
  assert.equal(steps.at(-1), 8);
});

test('SIGTERM stops the run cleanly with exit 0, also between evals and saves', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cli-'));
  // No eval or save for 1000 steps: the loop itself must let the signal through.
  const p = config(dir, '', 'max_steps: 400');
  writeFileSync(p, readFileSync(p, 'utf8').replace('eval_every: 3, save_every: 3', 'eval_every: 1000, save_every: 1000'));
  let sent = false;
  const r = await runCli(['train', p, '--out', join(dir, 'run')], (e, child) => {
    if (!sent && e.type === 'metrics' && e.split === 'train') { sent = true; child.kill('SIGTERM'); }
  });
  assert.equal(r.code, 0, r.stderr);
  const fin = r.events.at(-1);
  assert.ok(fin?.type === 'finished' && fin.reason === 'stopped' && fin.step < 400, JSON.stringify(fin));
  assert.ok(existsSync(join(dir, 'run', 'checkpoints', `checkpoint-${fin.step}`, 'trainer_state.json')), 'checkpoint at the stop step');
});

test('fine-tuning starts from a Hugging Face directory (a checkpoint we saved) with its tokenizer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cli-'));
  const first = join(dir, 'first');
  const base = await runCli(['train', config(dir, '', 'max_steps: 2'), '--out', first]);
  assert.equal(base.code, 0, base.stderr);
  const ckpt = join(first, 'checkpoints', 'checkpoint-2');
  const p = join(dir, 'ft.orpo.yaml');
  writeFileSync(p, readFileSync(join(dir, 'tiny.orpo.yaml'), 'utf8').replace('model: { layers: 1, d_model: 16, heads: 2, context: 128 }', `model: { from: ${ckpt} }`));
  const ft = await runCli(['train', p, '--out', join(dir, 'ft'), '--max-steps', '2']);
  assert.equal(ft.code, 0, ft.stderr);
  const rows = readFileSync(join(dir, 'ft', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  assert.ok(rows.some((r) => Number.isFinite(r.loss)), 'trained from the directory');
  // A tokenizer with more ids than the model's embedding is refused with both sizes named.
  const gpt2Tok = join(dir, 'gpt2-tokenizer');
  const { writeGpt2Tokenizer } = await import('../fixtures/gpt2-tokenizer/build');
  writeGpt2Tokenizer(gpt2Tok);
  writeFileSync(p, readFileSync(p, 'utf8') + `tokenizer: ${join(gpt2Tok, 'tokenizer.json')}\n`);
  const bad = await runCli(['train', p, '--out', join(dir, 'bad')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /tokenizer has 50257 ids but the model's embedding has 257 rows/);
});
