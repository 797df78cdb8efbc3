// Parquet data (issue 13 §7): the fixtures in test/fixtures/data/parquet (written by hyparquet-writer
// from the JSON/JSONL fixtures, see its README) read as the same rows and the same pairs as the
// JSON/JSONL files, in all four formats, through the engine's reader (hyparquet's public async API)
// and the language server's synchronous one; bad rows and bad files are DataErrors naming the row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFooter, readRowsSync } from '../../server/service/parquet';
import { readPairs } from './dataset';
import { DataError } from './errors';
import { readRows } from './read';

const FIX = fileURLToPath(new URL('../../../test/fixtures/data/', import.meta.url));
const PQ = join(FIX, 'parquet');
const CASES = [
  ['explicit', 'explicit.json'],
  ['hh-implicit', 'hh-implicit.jsonl'],
  ['conversational', 'conversational.jsonl'],
  ['sharegpt', 'sharegpt.json'],
] as const;

async function values(path: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of readRows(path)) out.push(r.value);
  return out;
}

const opts = { format: 'auto' as const, skipInvalid: false, chat: {} };

for (const [name, source] of CASES) {
  void test(`${name}.parquet: the rows and pairs of ${source}, row numbers instead of lines`, async () => {
    const want = await values(join(FIX, source));
    const rows: { value: unknown; line: number; row?: number }[] = [];
    for await (const r of readRows(join(PQ, `${name}.parquet`))) rows.push(r);
    assert.deepEqual(rows.map((r) => r.value), want);
    assert.deepEqual(rows.map((r) => [r.line, r.row]), want.map((_, i) => [0, i + 1]));
    const fromPq = await readPairs(join(PQ, `${name}.parquet`), `${name}.parquet`, opts);
    const fromJson = await readPairs(join(FIX, source), source, opts);
    assert.equal(fromPq.format, fromJson.format);
    assert.deepEqual(fromPq.pairs, fromJson.pairs);
  });
}

void test("the language server's synchronous reader gives the engine's rows, and stops at maxRows", async () => {
  for (const [name] of CASES) {
    const bytes = readFileSync(join(PQ, `${name}.parquet`));
    const read = (s: number, e: number) => bytes.subarray(s, e);
    const md = readFooter(bytes.length, read);
    assert.deepEqual(readRowsSync(md, read), await values(join(PQ, `${name}.parquet`)), name);
    assert.equal(readRowsSync(md, read, 2).length, 2);
  }
});

void test('bad Parquet rows name the file and the row; skip_invalid counts them', async () => {
  const file = join(PQ, 'bad-rows.parquet');
  await assert.rejects(readPairs(file, 'bad.parquet', opts), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.message, 'bad.parquet: row 2: chosen: expected a string, got null');
    return true;
  });
  const r = await readPairs(file, 'bad.parquet', { ...opts, skipInvalid: true });
  assert.equal(r.pairs.length, 2);
  assert.equal(r.warnings.length, 3);
  assert.match(r.warnings[1] ?? '', /^bad\.parquet: row 3: rejected: expected a non-empty response/);
  assert.match(r.warnings[2] ?? '', /^bad\.parquet: row 4: rejected: expected a response different from chosen/);
});

void test('a file that is not Parquet, or missing, is a file-level DataError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-pq-'));
  const fake = join(dir, 'rows.parquet');
  writeFileSync(fake, readFileSync(join(FIX, 'hh-implicit.jsonl')));
  await assert.rejects(values(fake), /^DataError: .*rows\.parquet: cannot read: not a Parquet file/);
  await assert.rejects(values(join(dir, 'none.parquet')), /^DataError: .*none\.parquet: cannot read: file not found$/);
  // Cut short: the footer is gone.
  const pq = readFileSync(join(PQ, 'explicit.parquet'));
  writeFileSync(fake, pq.subarray(0, pq.length - 20));
  await assert.rejects(values(fake), /^DataError: .*rows\.parquet: cannot read: not a Parquet file/);
  // A corrupt column chunk: bytes inside the first chunk overwritten.
  const bad = Buffer.from(pq);
  bad.fill(0xff, 8, 200);
  writeFileSync(fake, bad);
  await assert.rejects(values(fake), /^DataError: .*rows\.parquet: cannot read rows 1-6: /);
});
