// The language server's sniffer and the engine's loader detect a dataset's format with one rule
// (src/common/pairFormats.ts): on every fixture file they agree, and a row with a wrong type is
// reported on its field by both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProbe, sniffFile } from '../../server/service';
import { readPairs } from './dataset';
import { DataError } from './errors';

const DIRS = ['../../../test/fixtures/data/', '../../../test/fixtures/configs/data/'].map((d) => fileURLToPath(new URL(d, import.meta.url)));

void test('the sniffer and the loader find the same format in every fixture dataset', async () => {
  const probe = createProbe();
  let compared = 0;
  for (const dir of DIRS) {
    for (const name of readdirSync(dir).filter((n) => /\.jsonl?(\.gz)?$/.test(n) && !n.startsWith('bad'))) {
      const file = join(dir, name);
      const sniffed = sniffFile(probe, file, 'auto');
      const loaded = await readPairs(file, name, { format: 'auto', skipInvalid: true });
      assert.ok(sniffed.format !== undefined, name);
      assert.equal(loaded.format, sniffed.format, name);
      compared++;
    }
  }
  assert.ok(compared >= 10, `${compared} files compared`);
});

void test('a wrong type is reported on its field by both', async () => {
  const file = join(DIRS[1] as string, 'bad-type.jsonl');
  assert.match(sniffFile(createProbe(), file, 'auto').problem?.message ?? '', /field "chosen" must be a string/);
  await assert.rejects(readPairs(file, 'bad-type.jsonl', { format: 'auto', skipInvalid: false }), (e: unknown) => e instanceof DataError && /bad-type\.jsonl:1: chosen/.test(e.message));
});
