// The strict CLI as a process: misspelt flags and unknown commands exit 2 with a hint and touch
// nothing; --help for every command; --version from package.json (source and built bundle); KEY=VALUE
// overrides; human output on a terminal (a real pseudo-terminal through util-linux `script`), JSON
// events when stdout is not one; --resume from a checkpoint directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseEvent } from '../../src/common/events';
import { root, runCli, startCli } from './cli';

const data = join(root, 'examples/data/hh-rlhf-tiny.jsonl.gz');
const CLI = join(root, 'src/engine/cli.ts');

function config(dir: string, train = 'max_steps: 6'): string {
  const p = join(dir, 'tiny.orpo.yaml');
  writeFileSync(p, `name: tiny
seed: 5
model: { layers: 1, d_model: 16, heads: 2, context: 128 }
data: { train: ${data}, eval: 0.25, max_length: 128, max_prompt_length: 64, limit: 16 }
train: { batch_size: 2, ${train}, eval_every: 2, save_every: 2, eval_samples: 1 }
backend: cpu
output_dir: runs
`);
  return p;
}

test('misspelt flags exit 2 with a hint, before anything is read or written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-args-'));
  const p = config(dir);
  const r = await runCli(['train', p, '--max_steps', '2', '--output_dir', join(dir, 'x')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option --max_steps \(did you mean --max-steps\?\)/);
  assert.equal(r.events.length, 0);
  assert.equal(existsSync(join(dir, 'x')) || existsSync(join(dir, 'runs')), false);
  const alike = await runCli(['train', p, '--output_dir', join(dir, 'x')]);
  assert.equal(alike.code, 2);
  assert.match(alike.stderr, /unknown option --output_dir \(did you mean --out\?\)/);
  const key = await runCli(['train', p, '--lambda', '0.5']);
  assert.match(key.stderr, /lambda=\.\.\./);
  for (const argv of [['trian'], [], ['--frobnicate'], ['validate'], ['validate', p, 'extra'], ['report', dir], ['lsp'], ['bench', '--steps', 'many'], ['train', p, '--resume', dir, '--out', dir]]) {
    const u = await runCli(argv);
    assert.equal(u.code, 2, `${argv.join(' ')}: ${u.stderr}`);
  }
  assert.match((await runCli(['trian'])).stderr, /unknown command "trian" \(did you mean train\?\)/);
});

test('--help works for every command and exits 0', async () => {
  // Every command the top-level help lists (so a new command is covered without a test change).
  const top = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--help'], { cwd: root, encoding: 'utf8' });
  const names = [...top.stdout.matchAll(/^ {2}orpo-lab ([a-z]+) /gm)].map((m) => m[1] as string);
  assert.ok(names.length >= 10 && names.includes('sweep') && names.includes('merge'), top.stdout);
  for (const name of names) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', CLI, name, '--help'], { cwd: root, encoding: 'utf8' });
    assert.equal(child.status, 0, `${name}: ${child.stderr}`);
    assert.ok(child.stdout.startsWith(`usage: orpo-lab ${name}`), child.stdout);
    assert.match(child.stdout, /-h, --help/);
  }
});

test('--version is the version in package.json, from source and from the built bundle', () => {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const src = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--version'], { cwd: root, encoding: 'utf8' });
  assert.equal(src.stdout, `${version}\n`);
  assert.ok(existsSync(join(root, 'dist/engine/cli.js')), 'npm test builds dist/ first');
  const built = spawnSync(process.execPath, [join(root, 'bin/orpo-lab.js'), '--version'], { cwd: tmpdir(), encoding: 'utf8' });
  assert.equal(built.stdout, `${version}\n`);
});

test('on a terminal train shows progress and a summary; overrides apply and are recorded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-args-'));
  const out = join(dir, 'run');
  const cmd = [process.execPath, '--import', 'tsx', CLI, 'train', config(dir), '--out', out, 'train.max_steps=3', 'lambda=0.5'].map((a) => `'${a}'`).join(' ');
  // util-linux `script` runs the command on a pseudo-terminal, so process.stdout.isTTY is true.
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: root, encoding: 'utf8', env: { ...process.env, COLUMNS: '200' } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // What the terminal shows: each line as last rewritten (the progress line is redrawn after \r ESC[K).
  const raw = r.stdout.replace(/\r\n/g, '\n');
  const text = raw.split('\n').map((l) => l.split('\r\x1b[K').at(-1)).join('\n');
  assert.match(raw, /\r\x1b\[Kstep 3\/3 {2}loss \d+\.\d{4} {2}margin -?\d+\.\d{4} {2}acc \d\.\d{4} {2}ETA \d+s/);
  assert.match(text, /^completed at step 3\/3 in \d+s$/m);
  assert.match(text, /^ {2}train: loss /m);
  assert.match(text, new RegExp(`^run directory: ${out}$`, 'm'));
  assert.ok(!/^\{"type"/m.test(text), 'no JSON events on a terminal');
  const saved = parse(readFileSync(join(out, 'config.yaml'), 'utf8')) as { lambda: number; train: { max_steps: number } };
  assert.equal(saved.train.max_steps, 3);
  assert.equal(saved.lambda, 0.5);
});

test('off a terminal stdout carries JSON events without --json; --resume takes a checkpoint directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-args-'));
  const out = join(dir, 'run');
  const child = startCli(['train', config(dir, 'max_steps: 4'), '--out', out]);
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  const code = await new Promise((res) => child.on('close', res));
  assert.equal(code, 0);
  const lines = stdout.trim().split('\n');
  assert.ok(lines.length > 5 && lines.every((l) => parseEvent(l).ok), 'every stdout line is an event');
  // Two checkpoints (steps 2 and 4): resume from the first one, named as a directory.
  const ckpts = readdirSync(join(out, 'checkpoints')).filter((n) => /^(step|checkpoint)-2$/.test(n));
  assert.equal(ckpts.length, 1);
  const resumed = await runCli(['train', join(out, 'config.yaml'), '--resume', join(out, 'checkpoints', ckpts[0] as string)]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const started = resumed.events.find((e) => e.type === 'started');
  assert.ok(started?.type === 'started' && started.start_step === 2 && started.run_dir === out, JSON.stringify(started));
  const done = resumed.events.at(-1);
  assert.ok(done?.type === 'finished' && done.step === 4, JSON.stringify(done));
});
