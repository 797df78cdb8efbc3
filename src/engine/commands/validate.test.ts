// `orpo-lab validate CONFIG`: output lines `file:line:col: severity: message` (1-based) on stdout, a
// summary on stderr, and exit code 1 when there is an error, 0 otherwise (warnings alone pass).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { UsageError } from '../args';
import { main } from './validate';

const ROOT = path.resolve(__dirname, '../../..');
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/engine/cli.ts', 'validate', ...args], { cwd: ROOT, encoding: 'utf8' });

void test('a config with errors: one line per problem, exit code 1', () => {
  const file = 'test/fixtures/configs/invalid.orpo.yaml';
  const r = cli(file);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n'), [
    `${file}:3:9: error: lambda must be a number > 0, got 0`,
    `${file}:5:12: error: model.d_model (130) must be divisible by model.heads (4): each head gets d_model / heads dimensions`,
    `${file}:10:3: error: unknown key "learning_rat" in train; did you mean "learning_rate"?`,
    `${file}:12:10: warning: backend tensorflow: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed, so \`orpo-lab train\` will fail to load it; \`backend: auto\` would run on WebGPU with a hardware GPU adapter, otherwise on the native CPU backend (or wasm without the native kernels)`,
  ]);
  assert.match(r.stderr, /3 errors, 1 warning/);
});

void test('warnings alone exit 0; a valid config prints nothing', () => {
  const w = cli('test/fixtures/configs/warnings.orpo.yaml');
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stdout, /^test\/fixtures\/configs\/warnings\.orpo\.yaml:2:9: warning: lambda = 20 is above 10/);
  // The shipped example: no error or warning, only the note that 88 of its 256 pairs are cut.
  const ok = cli(path.join(ROOT, 'examples/hh-rlhf-tiny.orpo.yaml'));
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^\S+hh-rlhf-tiny\.orpo\.yaml:\d+:\d+: info: 88 of 256 pairs exceed max_length 256/);
  assert.equal(ok.stdout.trimEnd().split('\n').length, 1, ok.stdout);
  assert.match(ok.stderr, /0 errors, 0 warnings/);
});

void test('a missing config is an error line, exit code 1', () => {
  const r = cli('test/fixtures/configs/nope.orpo.yaml');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, 'test/fixtures/configs/nope.orpo.yaml:1:1: error: cannot read the config: file not found\n');
});

void test('usage errors', async () => {
  await assert.rejects(main([]), UsageError);
  await assert.rejects(main(['a.yaml', 'b.yaml']), UsageError);
  const r = cli();
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: orpo-lab validate CONFIG/);
});

void test("the README's example config is valid", () => {
  const r = cli('test/fixtures/configs/valid.orpo.yaml');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /: (error|warning): /);
});
