// Issue 14, BOS: a checkpoint continued through `model.from` trains on exactly the token sequences of
// the run that wrote it. Every batch holds all training pairs (batch_size = pairs, eval from its own
// file), so step 2 of a run resumed from step 1 and step 1 of a run started from that checkpoint's
// directory see the same weights and the same pairs: their losses must be equal. A BOS the byte
// tokenizer never added, declared by the exported tokenizer_config.json, would make them differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';

const pairs = (n: number, tag: string) => Array.from({ length: n }, (_, i) => JSON.stringify({ prompt: `Question ${tag}${i}: what is ${i} + ${i}?`, chosen: ` It is ${2 * i}.`, rejected: ` No idea, maybe ${i}${i}.` })).join('\n') + '\n';
const lossAt = (run: string, step: number) => (readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number }).find((r) => r.step === step && r.loss !== undefined) ?? assert.fail(`no loss at step ${step}`)).loss as number;

void test('the loss after model.from a checkpoint equals the loss after --resume from it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-continue-'));
  writeFileSync(join(dir, 'train.jsonl'), pairs(4, 't'));
  writeFileSync(join(dir, 'eval.jsonl'), pairs(2, 'e'));
  const cfg = (model: string) => `name: cont\nseed: 3\nmethod: orpo\nmodel: ${model}\ndata: { train: train.jsonl, eval: eval.jsonl, max_length: 96, max_prompt_length: 48 }\ntrain: { batch_size: 4, max_steps: 1, learning_rate: 0.01, eval_every: 1000, save_every: 1, eval_samples: 0 }\nbackend: cpu\n`;
  writeFileSync(join(dir, 'a.orpo.yaml'), cfg('{ layers: 1, d_model: 16, heads: 2, context: 128 }'));
  const a = join(dir, 'a');
  const first = await runCli(['train', join(dir, 'a.orpo.yaml'), '--out', a]);
  assert.equal(first.code, 0, first.stderr);
  const tokConfig = JSON.parse(readFileSync(join(a, 'checkpoints', 'checkpoint-1', 'tokenizer_config.json'), 'utf8')) as { bos_token: unknown };
  assert.equal(tokConfig.bos_token, null, 'the byte tokenizer declares no BOS');
  for (const d of [join(a, 'checkpoints', 'checkpoint-1'), join(a, 'final')]) {
    const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([c.bos_token_id, c.eos_token_id, c.pad_token_id], [null, 256, 256], `${d}/config.json declares the tokenizer's ids (no BOS; EOS and pad <|endoftext|>)`);
  }
  const resumed = await runCli(['train', join(a, 'config.yaml'), '--resume', a, '--max-steps', '2']);
  assert.equal(resumed.code, 0, resumed.stderr);
  writeFileSync(join(dir, 'b.orpo.yaml'), cfg(`{ from: ${join(a, 'checkpoints', 'checkpoint-1')} }`));
  const b = join(dir, 'b');
  const cont = await runCli(['train', join(dir, 'b.orpo.yaml'), '--out', b]);
  assert.equal(cont.code, 0, cont.stderr);
  const [viaResume, viaFrom] = [lossAt(a, 2), lossAt(b, 1)];
  assert.ok(Math.abs(viaResume - viaFrom) < 1e-5, `loss after --resume ${viaResume}, after model.from ${viaFrom}`);
});
