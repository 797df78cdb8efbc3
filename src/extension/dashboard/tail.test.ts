import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMetricsLine, parseSampleLine } from '../../common/runFiles';
import { RunWatcher, type RunBatch } from './runWatcher';
import { JsonlTail } from './tail';

const tmp = () => mkdtempSync(join(tmpdir(), 'orpo-tail-'));

void test('reads only what was appended; a partial last line waits for its newline', async () => {
  const dir = tmp();
  const f = join(dir, 'metrics.jsonl');
  const t = new JsonlTail(f, 'metrics.jsonl', parseMetricsLine);
  assert.deepEqual(await t.read(), { rows: [], problems: [], reset: false });
  writeFileSync(f, '{"step":1,"loss":3}\n{"step":2,"lo');
  assert.deepEqual((await t.read()).rows, [{ step: 1, loss: 3 }]);
  appendFileSync(f, 'ss":2.5}\n{"step":3,"loss":2}\nnot json\n');
  const r = await t.read();
  assert.deepEqual(r.rows, [{ step: 2, loss: 2.5 }, { step: 3, loss: 2 }]);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0] as string, /^metrics.jsonl:4: not valid JSON/);
  assert.deepEqual(await t.read(), { rows: [], problems: [], reset: false });
  rmSync(dir, { recursive: true });
});

void test('a UTF-8 character split across two writes is decoded whole', async () => {
  const dir = tmp();
  const f = join(dir, 'samples.jsonl');
  const t = new JsonlTail(f, 'samples.jsonl', parseSampleLine);
  const line = Buffer.from('{"step":1,"prompt":"λ?","completion":"日本 ✓"}\n', 'utf8');
  const cut = line.indexOf(Buffer.from('本')) + 1; // inside the 3-byte character
  writeFileSync(f, line.subarray(0, cut));
  assert.deepEqual((await t.read()).rows, []);
  appendFileSync(f, line.subarray(cut));
  assert.deepEqual((await t.read()).rows, [{ step: 1, prompt: 'λ?', completion: '日本 ✓' }]);
  rmSync(dir, { recursive: true });
});

void test('a truncated file is read again from the start and reported as a reset', async () => {
  const dir = tmp();
  const f = join(dir, 'metrics.jsonl');
  const t = new JsonlTail(f, 'metrics.jsonl', parseMetricsLine);
  writeFileSync(f, '{"step":1}\n{"step":2}\n{"step":3}\n');
  assert.equal((await t.read()).rows.length, 3);
  writeFileSync(f, '{"step":1,"x":1}\n');
  assert.deepEqual(await t.read(), { rows: [{ step: 1, x: 1 }], problems: [], reset: true });
  rmSync(dir, { recursive: true });
});

void test('the run watcher returns what exists, then batches rows as they are appended', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'metrics.jsonl'), '{"step":1,"loss":3}\n');
  const batches: RunBatch[] = [];
  let notify: () => void = () => {};
  const w = new RunWatcher(dir, { batch: (b) => { batches.push(b); notify(); }, error: (e) => assert.fail(String(e)) }, { batchMs: 20, pollMs: 200 });
  const first = await w.start();
  assert.deepEqual(first.metrics, [{ step: 1, loss: 3 }]);
  assert.deepEqual(first.distributions, []);
  const got = new Promise<void>((res) => { notify = res; });
  appendFileSync(join(dir, 'metrics.jsonl'), '{"step":2,"loss":2}\n{"step":3,"loss":1}\n');
  appendFileSync(join(dir, 'distributions.jsonl'), '{"step":3,"chosen_logps":[-1],"rejected_logps":[-2],"chosen_rewards":[-0.1],"rejected_rewards":[-0.2],"log_odds":[1]}\n');
  await got;
  // The watcher may have split the writes into two batches; wait until both files are seen.
  while (batches.flatMap((b) => b.distributions).length === 0) await new Promise<void>((res) => { notify = res; });
  w.dispose();
  assert.deepEqual(batches.flatMap((b) => b.metrics), [{ step: 2, loss: 2 }, { step: 3, loss: 1 }]);
  assert.equal(batches.flatMap((b) => b.distributions)[0]?.step, 3);
  assert.ok(batches.every((b) => !b.reset));
  rmSync(dir, { recursive: true });
});

void test('a run that another process writes (a TRL run, python3) reaches the dashboard by the poll alone, as on a mounted folder', async () => {
  const dir = tmp();
  const py = join(__dirname, '..', '..', 'engine', 'export', 'python');
  const write = (code: string) => {
    const r = spawnSync('python3', ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(py)}); import orpo_lab_run as r\nw = r.RunWriter(${JSON.stringify(dir)}, "name: remote\\n")\n${code}`], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    assert.equal(r.status, 0, r.stderr);
  };
  write('w.log(1, 0.5, {"loss": 2.0})');
  const batches: RunBatch[] = [];
  let notify: () => void = () => {};
  // No fs.watch: network file systems and sync clients deliver no events for writes made elsewhere.
  const w = new RunWatcher(dir, { batch: (b) => { batches.push(b); notify(); }, error: (e) => assert.fail(String(e)) }, { batchMs: 10, pollMs: 100, watch: false });
  assert.deepEqual((await w.start()).metrics.map((r) => r.step), [1]);
  const got = new Promise<void>((res) => { notify = res; });
  write('w.log(2, 1.0, {"loss": 1.5, "logps/chosen": -1.0})\nw.log(2, 1.0, {"eval_loss": 1.75})\nw.distributions(2, [-0.5], [-0.9], 0.1)');
  await got;
  while (batches.flatMap((b) => b.distributions).length === 0) await new Promise<void>((res) => { notify = res; });
  w.dispose();
  assert.deepEqual(batches.flatMap((b) => b.metrics), [{ step: 2, epoch: 1, time: batches.flatMap((b) => b.metrics)[0]?.time, loss: 1.5, 'logps/chosen': -1 }, { step: 2, epoch: 1, time: batches.flatMap((b) => b.metrics)[1]?.time, 'eval/loss': 1.75 }]);
  assert.deepEqual(batches.flatMap((b) => b.distributions)[0]?.chosen_logps, [-0.5]);
  assert.ok(batches.every((b) => !b.reset && b.problems.length === 0));
  rmSync(dir, { recursive: true });
});
