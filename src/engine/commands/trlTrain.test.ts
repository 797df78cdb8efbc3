// `orpo-lab train --engine trl` without TRL (none here): the Python checks name what is missing and
// the install command, the CLI ends in one valid error event, and a run directory written by the real
// orpo_lab_run.py (python3) streams as ORPO Lab's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent } from '../../common/events';
import { RunDirTail } from '../export/runTail';
import { runCli } from '../../../test/engine/cli';
import { pythonDir } from './export';
import { checkPython, PYTHON_MODULES, wantsTrl } from './trlTrain';

const root = join(__dirname, '..', '..', '..');

void test('a missing Python is an error naming the setting and the install command', () => {
  const msg = checkPython('/nonexistent/python3') ?? assert.fail('no error');
  assert.match(msg, /Python not found: "\/nonexistent\/python3"/);
  assert.match(msg, /orpoLab\.pythonPath/);
  assert.match(msg, /-m pip install trl==1\.9\.0 transformers==5\.0\.0/);
});

void test('python3 is checked for exactly the modules it cannot import', () => {
  const lacks = PYTHON_MODULES.filter((m) => spawnSync('python3', ['-c', `import ${m}`]).status !== 0);
  const msg = checkPython('python3');
  if (lacks.length === 0) assert.equal(msg, undefined);
  else assert.match(msg ?? '', new RegExp(`lacks ${lacks.join(', ')}, needed by --engine trl\\. Install with: python3 -m pip install trl==`));
});

void test('--engine trl with no Python exits 1 with one valid error event and no run directory', async () => {
  assert.ok(wantsTrl(['c.yaml', '--engine', 'trl']) && wantsTrl(['--engine=trl', 'c.yaml']) && !wantsTrl(['c.yaml', '--engine', 'local']));
  const dir = mkdtempSync(join(tmpdir(), 'orpo-trl-'));
  const cfg = join(dir, 'e.orpo.yaml');
  writeFileSync(cfg, `name: t\ndata: { train: ${join(root, 'test/fixtures/data/explicit.json')} }\noutput_dir: runs\n`);
  const r = await runCli(['train', cfg, '--engine', 'trl', '--python', join(dir, 'no-python')]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.bad, []);
  assert.equal(r.events.length, 1);
  assert.match(r.events[0]?.type === 'error' ? r.events[0].message : '', /Python not found/);
  assert.equal(existsSync(join(dir, 'runs')), false);
});

void test('a run directory written by orpo_lab_run.py streams as metrics, distributions and checkpoint events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-trl-run-'));
  const run = join(dir, 'run');
  const py = (code: string) => {
    const r = spawnSync('python3', ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(pythonDir())}); import orpo_lab_run as r\nw = r.RunWriter(${JSON.stringify(run)}, "name: t\\n")\n${code}`], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    assert.equal(r.status, 0, r.stderr);
  };
  const tail = new RunDirTail(run);
  py('w.log(1, 0.5, {"loss": 2.0, "rewards/chosen": -0.3})\nw.log(2, 1.0, {"eval_loss": 1.5, "eval_rewards/margins": 0.1})\nw.distributions(2, [-0.5, -1.0], [-0.7, -2.0], 0.1)');
  const src = join(dir, 'trl', 'checkpoint-2');
  py(`import os\nos.makedirs(${JSON.stringify(src)})\nopen(os.path.join(${JSON.stringify(src)}, "model.safetensors"), "w").write("x")\nw.checkpoint(2, ${JSON.stringify(src)})`);
  const events = tail.poll();
  for (const e of events) assert.ok(parseEvent(JSON.stringify(e)).ok);
  assert.deepEqual(events.map((e) => (e.type === 'metrics' ? `metrics:${e.split}:${e.row.step}` : e.type)), ['metrics:train:1', 'metrics:eval:2', 'distributions', 'checkpoint']);
  assert.deepEqual(tail.poll(), [], 'nothing new, nothing emitted');
  appendFileSync(join(run, 'metrics.jsonl'), '{"step": 3, "epoch": 1.5, "time": 1, "lo');
  assert.deepEqual(tail.poll(), [], 'a torn line waits');
  appendFileSync(join(run, 'metrics.jsonl'), 'ss": 1.25}\n');
  assert.deepEqual(tail.poll().map((e) => e.type === 'metrics' && e.row.loss), [1.25]);
  assert.deepEqual(tail.summary(), { loss: 1.25, 'eval/loss': 1.5, 'eval/rewards/margins': 0.1 });
});
