// `orpo-lab train --engine trl` without TRL (none here): the Python checks name what is missing and
// the install command, the CLI ends in one valid error event, and a run directory written by the real
// orpo_lab_run.py (python3) streams as ORPO Lab's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent } from '../../common/events';
import { RunDirTail } from '../export/runTail';
import { runCli } from '../../../test/engine/cli';
import { main as exportMain, pythonDir } from './export';
import { useCpu } from '../testing/tf';
import { checkPython, launchArgs, PYTHON_MODULES, resumeFrom, wantsTrl } from './trlTrain';
import { lastTrainerCheckpoint } from '../export/runTail';

const root = join(__dirname, '..', '..', '..');

void test('a missing Python is an error naming the setting and the install command', () => {
  const msg = checkPython('/nonexistent/python3') ?? assert.fail('no error');
  assert.match(msg, /Python not found: "\/nonexistent\/python3"/);
  assert.match(msg, /orpoLab\.pythonPath/);
  assert.match(msg, /-m pip install trl==1\.13\.0 transformers==5\.18\.0 accelerate==1\.15\.0 datasets==5\.0\.1 torch/);
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

/**
 * A real python3 that finds the given modules installed (empty packages on its PYTHONPATH) and no others
 * of PYTHON_MODULES: how the checks see a machine with some of TRL's stack and not the rest.
 */
function pythonWith(modules: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-py-'));
  for (const m of modules) {
    mkdirSync(join(dir, 'site', m), { recursive: true });
    writeFileSync(join(dir, 'site', m, '__init__.py'), '');
  }
  const py = join(dir, 'python');
  const real = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(py, `#!/bin/sh\nPYTHONPATH=${JSON.stringify(join(dir, 'site'))} PYTHONNOUSERSITE=1 exec ${JSON.stringify(real)} -S "$@"\n`);
  chmodSync(py, 0o755);
  return py;
}

for (const missing of ['trl', 'accelerate'] as const) {
  void test(`a Python without ${missing} is an error naming ${missing} alone and the install command`, () => {
    const py = pythonWith(PYTHON_MODULES.filter((m) => m !== missing));
    const msg = checkPython(py) ?? assert.fail('no error');
    assert.match(msg, new RegExp(`lacks ${missing}, needed by --engine trl\\. Install with: ${py.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} -m pip install trl==1\\.13\\.0 transformers==5\\.18\\.0 accelerate==1\\.15\\.0 datasets==5\\.0\\.1 torch$`));
  });
}

void test('a Python with every module passes the check; a LoRA experiment needs peft too, named with its pinned install', () => {
  const py = pythonWith(PYTHON_MODULES);
  assert.equal(checkPython(py), undefined);
  const msg = checkPython(py, true) ?? assert.fail('no error without peft');
  assert.match(msg, /lacks peft, needed by --engine trl \(peft: the adapter: section trains LoRA\)\. Install with: .* -m pip install trl==1\.13\.0 transformers==5\.18\.0 accelerate==1\.15\.0 datasets==5\.0\.1 torch peft==0\.21\.0$/);
  assert.equal(checkPython(pythonWith([...PYTHON_MODULES, 'peft']), true), undefined);
});

/** Writes a TRL run directory with python3 and orpo_lab_run.py: Trainer checkpoints at `full` steps, model-only ones at `modelOnly`. */
function trlRunDir(full: number[], modelOnly: number[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-trl-resume-'));
  const run = join(dir, 'run');
  const code = [`w = r.RunWriter(${JSON.stringify(run)}, "name: t\\n", engine={"trainer": "ORPOTrainer"})`, 'import os'];
  for (const [steps, files] of [[full, ['config.json', 'model.safetensors', 'optimizer.pt', 'trainer_state.json']], [modelOnly, ['config.json', 'model.safetensors']]] as const) {
    for (const s of steps) {
      const src = join(dir, 'trl', `checkpoint-${s}`);
      code.push(`os.makedirs(${JSON.stringify(src)})`, ...files.map((f) => `open(os.path.join(${JSON.stringify(src)}, ${JSON.stringify(f)}), "w").write("x")`), `w.checkpoint(${s}, ${JSON.stringify(src)})`);
    }
  }
  const r = spawnSync('python3', ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(pythonDir())}); import orpo_lab_run as r\n${code.join('\n')}`], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return run;
}

const pyLast = (run: string) => spawnSync('python3', ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(pythonDir())}); import orpo_lab_run as r; print(r.last_checkpoint(${JSON.stringify(run)}))`], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }).stdout.trim();

void test('resume starts where train.py --resume will: the newest checkpoint-N with trainer state, as orpo_lab_run.last_checkpoint finds it', () => {
  const run = trlRunDir([2, 10], [12]);
  assert.deepEqual(resumeFrom(run), { step: 10, path: join(run, 'checkpoints', 'checkpoint-10') });
  assert.equal(pyLast(run), join(run, 'checkpoints', 'checkpoint-10'), 'the Python side picks the same folder');
  assert.equal(JSON.parse(readFileSync(join(run, 'engine.json'), 'utf8')).engine, 'trl');
  const none = trlRunDir([], [4]);
  assert.match(resumeFrom(none) as string, /has no checkpoints\/checkpoint-N with trainer_state\.json to resume from/);
  assert.equal(pyLast(none), 'None');
  assert.equal(lastTrainerCheckpoint(none), undefined);
});

void test("resume refuses ORPO Lab's own runs, unreadable engine.json and missing folders, with the reason", () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-trl-resume-'));
  mkdirSync(join(dir, 'checkpoints', 'checkpoint-3'), { recursive: true });
  assert.match(resumeFrom(dir) as string, /is a run of ORPO Lab's engine .*resume it without --engine trl/);
  writeFileSync(join(dir, 'engine.json'), '{"engine": "jax"}');
  assert.match(resumeFrom(dir) as string, /engine\.json: expected \{"engine": "trl" or "orpo-lab"/);
  assert.match(resumeFrom(join(dir, 'gone')) as string, /no such run directory/);
});

void test('the launch command resumes train.py in the run directory, with accelerate or torchrun', () => {
  const from = { step: 10, path: '/r/checkpoints/checkpoint-10' };
  assert.deepEqual(launchArgs({ launcher: 'accelerate', accelerateConfig: 'fsdp', runDir: '/r', exportDir: '/r/trl-export', from }),
    ['-m', 'accelerate.commands.launch', '--config_file', '/r/trl-export/accelerate/fsdp.yaml', '/r/trl-export/train.py', '--run-dir', '/r', '--resume']);
  assert.deepEqual(launchArgs({ launcher: 'torchrun', accelerateConfig: 'single_gpu', runDir: '/r', exportDir: '/e', from: undefined }),
    ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', 'gpu', '/e/train.py', '--run-dir', '/r']);
});

void test("train.py --resume with no resumable checkpoint stops before importing TRL, naming the run directory", async () => {
  await useCpu();
  const dir = mkdtempSync(join(tmpdir(), 'orpo-trl-py-'));
  const cfg = join(dir, 'e.orpo.yaml');
  writeFileSync(cfg, `name: t\nmodel: { layers: 1, d_model: 16, heads: 2, context: 128 }\ndata: { train: ${join(root, 'test/fixtures/data/explicit.json')}, eval: 0.3, max_length: 96, max_prompt_length: 48 }\ntrain: { batch_size: 2, max_steps: 3 }\n`);
  assert.equal(await exportMain(['trl', cfg, '--out', join(dir, 'out')]), 0);
  const run = trlRunDir([], [4]);
  const r = spawnSync('python3', [join(dir, 'out', 'train.py'), '--run-dir', run, '--resume'], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), `train.py --resume: ${run} has no checkpoints/checkpoint-N with trainer_state.json to resume from`);
});

void test('--engine trl --resume of a run that is not a TRL run exits 2 with one error event; --out with --resume is a usage error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-trl-'));
  const cfg = join(dir, 'e.orpo.yaml');
  writeFileSync(cfg, `name: t\ndata: { train: ${join(root, 'test/fixtures/data/explicit.json')} }\n`);
  const runDir = join(dir, 'runs', 'local');
  mkdirSync(join(runDir, 'checkpoints', 'checkpoint-2'), { recursive: true });
  const r = await runCli(['train', cfg, '--engine', 'trl', '--python', pythonWith(PYTHON_MODULES), '--resume', runDir]);
  assert.equal(r.code, 2);
  assert.equal(r.events.length, 1);
  assert.match(r.events[0]?.type === 'error' ? r.events[0].message : '', /is a run of ORPO Lab's engine/);
  assert.equal(existsSync(join(runDir, 'run.lock')), false);
  const u = await runCli(['train', cfg, '--engine', 'trl', '--out', join(dir, 'o'), '--resume', runDir]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /--out and --resume exclude each other/);
});
