// `orpo-lab bench --model DIR`: the benchmark loads a transformers directory through the HF loader
// (as users' checkpoints are loaded), takes its shape from config.json, and refuses what contradicts
// it; `--init NAME` never overwrites a directory holding another model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, runCli } from './cli';

/** Parameters in a safetensors file, summed from its JSON header (independent of the loader). */
function headerParams(file: string): number {
  const buf = readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { shape?: number[] }>;
  return Object.entries(header).filter(([k]) => k !== '__metadata__').reduce((a, [, v]) => a + (v.shape ?? []).reduce((p, x) => p * x, 1), 0);
}

test('bench --model DIR trains the directory\'s model, with its shape, parameters and memory figures', async () => {
  const dir = join(root, 'test/fixtures/hf/tiny-llama');
  const r = await runCli(['bench', '--backend', 'native', '--model', dir, '--seq', '16', '--pairs', '1', '--steps', '1', '--json'], undefined, { ORPO_LAB_THREADS: '1' });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.bad.at(-1) ?? '') as Record<string, unknown>;
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, number>;
  assert.equal(out.model, dir);
  assert.equal(out.family, 'llama');
  assert.deepEqual(out.shape, { d_model: config.hidden_size, layers: config.num_hidden_layers, heads: config.num_attention_heads, vocab: config.vocab_size, seq: 16, pairs: 1 });
  assert.equal(out.params, headerParams(join(dir, 'model.safetensors')));
  for (const k of ['tokens_per_second', 'estimate_bytes', 'peak_native_bytes', 'max_rss_bytes']) assert.ok((out[k] as number) > 0, `${k}: ${String(out[k])}`);
});

test('bench --model refuses shape flags that contradict config.json, and --init without --model', async () => {
  const r = await runCli(['bench', '--model', join(root, 'test/fixtures/hf/tiny-gpt2'), '--d-model', '64', '--heads', '4']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--model reads the shape from .*tiny-gpt2\/config\.json: drop --d-model, --heads/);
  const i = await runCli(['bench', '--init', 'gpt2-small']);
  assert.equal(i.code, 2);
  assert.match(i.stderr, /give --model too/);
});

test('bench --init NAME does not overwrite a directory that holds another model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-bench-'));
  try {
    copyFileSync(join(root, 'test/fixtures/hf/tiny-gpt2/config.json'), join(dir, 'config.json'));
    const r = await runCli(['bench', '--model', dir, '--init', 'gpt2-small', '--init-only']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /config\.json: not a gpt2-small model \(.*n_embd 32, expected 768.*\); choose another --model directory/);
    assert.equal(readFileSync(join(dir, 'config.json'), 'utf8'), readFileSync(join(root, 'test/fixtures/hf/tiny-gpt2/config.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench refuses, in words and before allocating, a run the memory plan says the machine cannot hold', async () => {
  const r = await runCli(['bench', '--backend', 'native', '--d-model', '8192', '--layers', '96', '--heads', '64', '--vocab', '50000', '--seq', '4096', '--pairs', '64', '--json']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the memory plan estimates [\d.]+ GiB, more than system memory \([\d.]+ GiB\); try --checkpointing, fewer --pairs or a shorter --seq/);
  assert.deepEqual(r.bad, [], 'no result line');
});
