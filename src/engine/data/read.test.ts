// Tests for the streaming readers (read.ts): .jsonl and .json, plain and .gz, the JSON array scanner on
// strings holding brackets and escapes and on arbitrary chunk boundaries, and file-level errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataError } from './errors';
import { fileKind, jsonArrayRows, readRows, type RawRow } from './read';

const FIX = fileURLToPath(new URL('../../../test/fixtures/data/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'orpo-read-'));

async function all(rows: AsyncIterable<RawRow>): Promise<RawRow[]> {
  const out: RawRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** The line each top-level element starts on, found by a different route: JSON.parse of prefixes. */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let i = text.indexOf('[') + 1;
  for (;;) {
    while (/[\s,]/.test(text[i] ?? '')) i++;
    if (text[i] === ']' || i >= text.length) return lines;
    lines.push(text.slice(0, i).split('\n').length);
    // Find the shortest prefix from i that parses as one JSON value.
    let j = i + 1;
    for (; j <= text.length; j++) {
      try {
        JSON.parse(text.slice(i, j));
        if (!/[\w.]/.test(text[j] ?? '')) break;
      } catch {
        // keep growing
      }
    }
    i = j;
  }
}

void test('fileKind: jsonl/json, optionally gz; other names unsupported', () => {
  assert.deepEqual(fileKind('a/b.jsonl'), { kind: 'jsonl', gzip: false });
  assert.deepEqual(fileKind('a/b.JSONL.GZ'), { kind: 'jsonl', gzip: true });
  assert.deepEqual(fileKind('b.json'), { kind: 'json', gzip: false });
  assert.deepEqual(fileKind('b.json.gz'), { kind: 'json', gzip: true });
  assert.equal(fileKind('b.csv'), undefined);
  assert.equal(fileKind('b.gz'), undefined);
});

void test('.jsonl and .jsonl.gz give the same rows as splitting the text by lines', async () => {
  const text = readFileSync(join(FIX, 'hh-implicit.jsonl'), 'utf8');
  const expected = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
  for (const f of ['hh-implicit.jsonl', 'hh-implicit.jsonl.gz']) {
    const rows = await all(readRows(join(FIX, f)));
    assert.deepEqual(rows.map((r) => r.value), expected, f);
    assert.deepEqual(rows.map((r) => r.line), expected.map((_, i) => i + 1), f);
    assert.deepEqual(rows.map((r) => r.index), expected.map((_, i) => i), f);
  }
});

void test('.jsonl: blank lines are skipped but counted, CRLF and a BOM are accepted, bad JSON is a row error', async () => {
  const p = join(tmp, 'crlf.jsonl');
  writeFileSync(p, '\ufeff{"a": 1}\r\n\r\n  \r\n{"a": 2}\r\n{"a": \r\n{"a": 3}');
  const rows = await all(readRows(p));
  assert.deepEqual(rows.map((r) => [r.value, r.line, r.index]), [[{ a: 1 }, 1, 0], [{ a: 2 }, 4, 1], [undefined, 5, 2], [{ a: 3 }, 6, 3]]);
  assert.match(rows[2]?.error ?? '', /^invalid JSON: .*; expected one JSON object per line$/);
});

void test('.json and .json.gz stream each element with its index and starting line', async () => {
  const text = readFileSync(join(FIX, 'explicit.json'), 'utf8');
  const expected = JSON.parse(text) as unknown[];
  const lines = elementLines(text);
  assert.equal(lines.length, expected.length);
  for (const f of ['explicit.json', 'explicit.json.gz']) {
    const rows = await all(readRows(join(FIX, f)));
    assert.deepEqual(rows.map((r) => r.value), expected, f);
    assert.deepEqual(rows.map((r) => r.index), expected.map((_, i) => i));
    assert.deepEqual(rows.map((r) => r.line), lines);
  }
  assert.equal(gunzipSync(readFileSync(join(FIX, 'explicit.json.gz'))).toString('utf8'), text);
});

void test('.json scanner: strings with brackets, braces, commas, escapes and unicode, at every chunk size', async () => {
  const text = readFileSync(join(FIX, 'tricky.json'), 'utf8');
  const expected = JSON.parse(text) as unknown[];
  const lines = elementLines(text);
  assert.deepEqual(lines, [2, 3, 8, 9]);
  for (const size of [1, 2, 3, 7, 16, 64, text.length]) {
    const rows = await all(jsonArrayRows(chunked(text, size), 'tricky.json'));
    assert.deepEqual(rows.map((r) => r.value), expected, `chunk size ${size}`);
    assert.deepEqual(rows.map((r) => r.line), lines, `chunk size ${size}`);
    assert.ok(rows.every((r) => r.error === undefined));
  }
});

void test('.json scanner: an element that is not valid JSON is a row error; the next element still reads', async () => {
  const text = '[\n {"a": 1},\n {"a": tru},\n {"a": "]"}\n]\n';
  const rows = await all(jsonArrayRows(chunked(text, 5), 'x.json'));
  assert.deepEqual(rows.map((r) => [r.value, r.line, r.index]), [[{ a: 1 }, 2, 0], [undefined, 3, 1], [{ a: ']' }, 4, 2]]);
  assert.match(rows[1]?.error ?? '', /^invalid JSON: .*expected a JSON object as each array element$/);
  // A raw newline inside a string (invalid JSON) still counts for the lines that follow.
  const raw = await all(jsonArrayRows(chunked('[\n {"a": "x\ny"},\n {"a": 2}\n]', 4), 'r.json'));
  assert.deepEqual(raw.map((r) => [r.value, r.line]), [[undefined, 2], [{ a: 2 }, 4]]);
});

void test('.json scanner: empty array, and files that are not one array', async () => {
  assert.deepEqual(await all(jsonArrayRows(chunked(' [ \n ] \n', 2), 'e.json')), []);
  const cases: [string, RegExp][] = [
    ['{"chosen": "x"}', /^o\.json:1: expected a JSON array \('\['\) at the top level, found '\{'$/],
    ['', /^o\.json: expected a JSON array, found an empty file$/],
    ['[\n{"a": 1},\n{"a": [2', /^o\.json:3: unexpected end of file: expected '\]' closing the array opened at line 1; element \[1\] starting at line 3 is incomplete$/],
    ['[{"a": 1},\n]', /^o\.json:2: \[1\]: expected an array element after ',', found '\]'$/],
    ['[{"a": 1}]\n[', /^o\.json:2: expected the end of the file after the array's closing '\]', found '\['$/],
    ['[,{"a": 1}]', /^o\.json:1: \[0\]: expected an array element, found ','$/],
  ];
  for (const [text, re] of cases) {
    await assert.rejects(all(jsonArrayRows(chunked(text, 3), 'o.json')), (e: unknown) => e instanceof DataError && re.test(e.message), text);
  }
});

void test('readRows: missing file, corrupt gzip and unsupported extension are file-level DataErrors', async () => {
  await assert.rejects(all(readRows(join(tmp, 'nope.jsonl'), 'data/nope.jsonl')), /^DataError: data\/nope\.jsonl: cannot read: file not found$/);
  const bad = join(tmp, 'bad.jsonl.gz');
  writeFileSync(bad, 'this is not gzip');
  await assert.rejects(all(readRows(bad, 'bad.jsonl.gz')), /^DataError: bad\.jsonl\.gz: cannot read: not a valid gzip file/);
  await assert.rejects(all(readRows(join(tmp, 'x.csv'), 'x.csv')), /^DataError: x\.csv: expected a \.jsonl or \.json file, optionally \.gz, or a \.parquet file$/);
});

void test('readRows streams: a gzipped file larger than the stream buffer reads completely and in order', async () => {
  const p = join(tmp, 'big.json.gz');
  const n = 3000;
  const elems = Array.from({ length: n }, (_, i) => ({ i, s: `row ${i} [${'}'.repeat(i % 5)}] "q" \\ ${'x'.repeat(i % 97)}` }));
  writeFileSync(p, gzipSync(JSON.stringify(elems, null, 1)));
  let count = 0;
  for await (const r of readRows(p)) {
    assert.deepEqual(r.value, elems[count]);
    assert.equal(r.index, count++);
  }
  assert.equal(count, n);
});
