// The Python probe behind Start ORPO Run's engine choice (issue 14), without VS Code: fake Python
// executables (shell scripts in a temp dir) print what a real probe prints, so this tests our one probe
// call, the parsing of its output and the messages with the exact pip command, not Python. One real
// python3 run checks that the probe script itself is valid Python whose output parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needsPeft } from '../common/pythonProbe';
import { probePython, trlChoice } from './pythonProbe';

const dir = mkdtempSync(join(tmpdir(), 'orpo-fake-py-'));
let n = 0;
/** A fake `python` that appends its arguments (one line per call) to a log and prints `out` (exit `code`). */
function fakePython(out: string, code = 0, stderr = ''): { py: string; calls: () => string[][] } {
  const py = join(dir, `python-${++n}`);
  const log = `${py}.log`;
  writeFileSync(log, '');
  writeFileSync(py, `#!/bin/sh\nprintf '%s\\t' "$@" >> '${log}'\necho >> '${log}'\nprintf '%s\\n' '${out}'\n${stderr ? `printf '%s\\n' '${stderr}' >&2\n` : ''}exit ${code}\n`);
  chmodSync(py, 0o755);
  return { py, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t').filter(Boolean)) };
}

void test('one probe call asks for every module train.py imports, peft only for LoRA', async () => {
  const f = fakePython('{"version": "3.11.4", "missing": []}');
  assert.deepEqual(await probePython(f.py, true), { kind: 'ok', info: { version: '3.11.4', missing: [] } });
  await probePython(f.py, false);
  const [lora, plain] = f.calls();
  assert.equal(f.calls().length, 2, 'one call per probe');
  assert.equal(lora?.[0], '-c');
  assert.match(lora?.[1] ?? '', /\["torch", ?"transformers", ?"trl", ?"accelerate", ?"datasets", ?"peft"\]/);
  assert.match(plain?.[1] ?? '', /"datasets"\]/);
  assert.doesNotMatch(plain?.[1] ?? '', /peft/);
});

void test('trl with the rest missing: the TRL engine is offered, and picking it names what is missing and the pip command', async () => {
  const f = fakePython('{"version": "3.10.12", "missing": ["accelerate", "datasets", "peft"]}');
  const choice = trlChoice(await probePython(f.py, true), f.py, true);
  assert.equal(choice.offer, true);
  assert.ok(choice.offer);
  assert.deepEqual(choice.missing, ['accelerate', 'datasets', 'peft']);
  assert.equal(choice.problem, `${f.py} (Python 3.10.12) lacks accelerate, datasets, peft, needed by --engine trl (peft: the adapter: section trains LoRA). Install with: ${f.py} -m pip install trl==1.13.0 transformers==5.18.0 accelerate==1.15.0 datasets==5.0.1 torch peft==0.21.0`);
  assert.equal(choice.install, `${f.py} -m pip install trl==1.13.0 transformers==5.18.0 accelerate==1.15.0 datasets==5.0.1 torch peft==0.21.0`);
  const all = fakePython('{"version": "3.12.1", "missing": []}');
  assert.deepEqual(trlChoice(await probePython(all.py, false), all.py, false), { offer: true, missing: [], install: `${all.py} -m pip install trl==1.13.0 transformers==5.18.0 accelerate==1.15.0 datasets==5.0.1 torch` });
});

void test('no trl, no Python, or not Python 3: ORPO Lab engine only, with the reason in words', async () => {
  const noTrl = fakePython('{"version": "3.11.4", "missing": ["trl", "accelerate"]}');
  const c1 = trlChoice(await probePython(noTrl.py, false), noTrl.py, false);
  assert.equal(c1.offer, false);
  assert.match(c1.offer ? '' : c1.why, /lacks trl, accelerate, needed by --engine trl\. Install with: .* -m pip install trl==1\.13\.0 /);
  const absent = join(dir, 'no-such-python');
  assert.deepEqual(await probePython(absent, false), { kind: 'absent' });
  const c2 = trlChoice({ kind: 'absent' }, absent, true);
  assert.match(c2.offer ? '' : c2.why, /^Python not found: ".*no-such-python"\. .*orpoLab\.pythonPath.* -m pip install .* peft==0\.21\.0$/);
  const py2 = fakePython('', 1, 'SyntaxError: invalid syntax');
  assert.deepEqual(await probePython(py2.py, false), { kind: 'broken', detail: 'SyntaxError: invalid syntax' });
  // Output that is not the probe's (a module it did not ask about, a wrong shape) is not trusted.
  for (const out of ['{"version": "3.11.4", "missing": ["numpy"]}', '{"missing": []}', 'Python 3.11.4']) {
    assert.equal((await probePython(fakePython(out).py, false)).kind, 'broken', out);
  }
});

void test('the probe script runs in a real python3 and its output parses', async () => {
  const c = await probePython('python3', true);
  assert.equal(c.kind, 'ok');
  assert.match(c.kind === 'ok' ? c.info.version : '', /^3\.\d+\.\d+/);
});

void test('a config trains LoRA, so needs peft, with an adapter: section, model.adapter, or TRL\'s use_peft: true', () => {
  assert.equal(needsPeft({ name: 'x', model: { from: 'm' }, adapter: { type: 'lora' } }), true);
  assert.equal(needsPeft({ name: 'x', model: { from: 'm', adapter: 'a' } }), true);
  assert.equal(needsPeft({ name: 'x', use_peft: true }), true);
  assert.equal(needsPeft({ name: 'x', use_peft: false, lora_r: 8 }), false);
  assert.equal(needsPeft({ name: 'x' }), false);
});
