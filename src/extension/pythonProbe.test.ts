// hasTrl: false for a Python that does not exist or lacks the packages, true for one that has them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTrl } from './pythonProbe';

void test('hasTrl follows what the Python can import', async () => {
  assert.equal(await hasTrl('/nonexistent/python3'), false);
  const real = ['trl', 'accelerate', 'transformers', 'torch'].every((m) => spawnSync('python3', ['-c', `import ${m}`]).status === 0);
  assert.equal(await hasTrl('python3'), real);
  // A Python whose path has the four packages (empty stand-in packages on PYTHONPATH).
  const dir = mkdtempSync(join(tmpdir(), 'orpo-py-'));
  for (const m of ['trl', 'accelerate', 'transformers', 'torch']) writeFileSync(join(dir, `${m}.py`), '');
  const wrapper = join(dir, 'py');
  writeFileSync(wrapper, `#!/bin/sh\nPYTHONPATH=${dir} exec python3 "$@"\n`);
  chmodSync(wrapper, 0o755);
  assert.equal(await hasTrl(wrapper), true);
});
