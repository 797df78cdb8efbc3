// Dataset sniffing on real fixture files (test/fixtures/configs/data) and on inline text: format
// detection for all four formats, .gz and .json arrays, and each kind of bad row with its file line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { countPairs, createProbe, memoryFileAccess, sniffFile, sniffText, validateDocument, getHover } from './index';

const DATA = path.resolve(__dirname, '../../../test/fixtures/configs/data');
const CFG = path.resolve(__dirname, '../../../test/fixtures/configs/exp.orpo.yaml');

void test('detects each format from real files, including .gz and a .json array', () => {
  const fs = createProbe();
  const cases: [string, string, number][] = [['explicit.jsonl', 'explicit', 3], ['implicit.jsonl.gz', 'implicit', 5], ['conversational.jsonl', 'conversational', 3], ['sharegpt.json', 'sharegpt', 3]];
  for (const [file, format, pairs] of cases) {
    const r = sniffFile(fs, path.join(DATA, file), 'auto');
    assert.equal(r.format, format, file);
    assert.equal(r.problem, undefined, file);
    assert.equal(r.rows, pairs, file);
    assert.equal(countPairs(fs, path.join(DATA, file)), pairs, file);
  }
});

void test('bad rows are reported with their file line', () => {
  const cases: [string, number, RegExp][] = [
    ['bad-missing.jsonl', 4, /missing field "rejected" \(format explicit\)/],
    ['bad-json.jsonl', 2, /invalid JSON/],
    ['bad-identical.jsonl', 2, /"chosen" is identical to "rejected"/],
    ['bad-empty.jsonl', 1, /empty response in "chosen"/],
    ['bad-type.jsonl', 1, /field "chosen" must be a string, got number/],
  ];
  for (const [file, line, re] of cases) {
    const ds = validateDocument(`name: t\ndata:\n  train: data/${file}\n`, { path: CFG, fs: createProbe() });
    assert.equal(ds.length, 1, file);
    const d = ds[0];
    assert.equal(d?.code, 'data-row');
    assert.equal(d?.severity, 'error');
    assert.ok(d?.message.startsWith(`${path.join(DATA, file)}:${line}: bad row`), d?.message);
    assert.match(d?.message ?? '', re);
  }
});

void test('data.skip_invalid turns a bad row into a warning', () => {
  const ds = validateDocument('name: t\ndata:\n  train: data/bad-missing.jsonl\n  skip_invalid: true\n', { path: CFG, fs: createProbe() });
  assert.deepEqual(ds.map((d) => d.severity), ['warning']);
});

void test('a configured format is enforced on every row', () => {
  const ds = validateDocument('name: t\ndata:\n  train: data/explicit.jsonl\n  format: sharegpt\n', { path: CFG, fs: createProbe() });
  assert.equal(ds.length, 1);
  assert.match(ds[0]?.message ?? '', /:1: bad row 1 \(format sharegpt\): missing field "conversations"/);
});

void test('only the first 50 rows are read, and a cut-off last line is ignored', () => {
  const good = JSON.stringify({ chosen: 'a b', rejected: 'a c' });
  const text = Array.from({ length: 60 }, () => good).join('\n') + '\n{"chosen": "cut';
  assert.deepEqual(sniffText(text, 'jsonl', 'auto', false), { rows: 50, format: 'implicit' });
  const row51bad = Array.from({ length: 50 }, () => good).join('\n') + '\n{}\n';
  assert.equal(sniffText(row51bad, 'jsonl', 'auto', true).problem, undefined);
  assert.equal(sniffText('[' + Array.from({ length: 3 }, () => good).join(',\n') + ',\n{"chosen": 1', 'json', 'auto', false).rows, 3);
});

void test('unreadable datasets', () => {
  assert.match(sniffText('{"a": 1}', 'json', 'auto', true).fatal ?? '', /must be an array/);
  assert.match(sniffText('  \n', 'jsonl', 'auto', true).fatal ?? '', /empty/);
  assert.match(sniffText('{"foo": 1}\n', 'jsonl', 'auto', true).problem?.message ?? '', /cannot detect the format: the row has keys "foo"/);
  const fs = createProbe(memoryFileAccess({ '/p/d.jsonl.gz': Buffer.from([0x1f, 0x8b, 1, 2, 3]), '/p/d.csv': 'a,b\n', '/p/ok.jsonl.gz': zlib.gzipSync('{"chosen":"x y","rejected":"x z"}\n') }));
  assert.match(sniffFile(fs, '/p/d.jsonl.gz', 'auto').fatal ?? '', /not valid gzip/);
  assert.match(sniffFile(fs, '/p/d.csv', 'auto').fatal ?? '', /must be \.jsonl or \.json/);
  assert.equal(sniffFile(fs, '/p/ok.jsonl.gz', 'auto').format, 'implicit');
});

void test('hover on data.train shows the detected format and pair count', () => {
  const text = 'name: t\ndata:\n  train: data/sharegpt.json\n';
  const h = getHover(text, { line: 2, character: 12 }, { path: CFG, fs: createProbe() });
  assert.ok(h);
  assert.match(h.contents.value, /Format: `sharegpt` \(detected\)/);
  assert.match(h.contents.value, /Pairs: 3/);
});

void test('a UTF-8 BOM before the first row is accepted, as the engine\'s reader accepts it (.jsonl and .json)', () => {
  const row = '{"prompt":"Hi","chosen":" Hello!","rejected":" Go away."}';
  const jsonl = sniffText(`\ufeff${row}\n${row}\n`, 'jsonl', 'auto', true);
  assert.deepEqual([jsonl.format, jsonl.rows, jsonl.problem, jsonl.fatal], ['explicit', 2, undefined, undefined]);
  const json = sniffText(`\ufeff[${row}]`, 'json', 'auto', true);
  assert.deepEqual([json.format, json.rows, json.problem, json.fatal], ['explicit', 1, undefined, undefined]);
  const probe = createProbe(memoryFileAccess({ '/p/bom.jsonl': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${row}\n`)]) }));
  assert.equal(sniffFile(probe, '/p/bom.jsonl', 'auto').problem, undefined);
});

void test('conversational rows without "prompt" (TRL implicit prompt) pass the pre-flight; a "wizard" role is refused with its line', () => {
  const implicit = fs.readFileSync(path.join(path.resolve(__dirname, '../../../test/fixtures/data'), 'conversational-implicit.jsonl'), 'utf8');
  const ok = sniffText(implicit, 'jsonl', 'auto', true);
  assert.deepEqual([ok.format, ok.problem, ok.fatal], ['conversational', undefined, undefined]);
  assert.ok(ok.rows > 1);
  const rows = implicit.trim().split('\n');
  rows[1] = JSON.stringify({ ...(JSON.parse(rows[1] as string) as object), rejected: [{ role: 'wizard', content: 'Abracadabra.' }] });
  const bad = sniffText(rows.join('\n') + '\n', 'jsonl', 'auto', true);
  assert.equal(bad.problem?.line, 2);
  assert.match(bad.problem?.message ?? '', /"rejected"\[0\]\.role: expected a role of system, user, assistant, tool, got "wizard"/);
});

// Parquet (issue 13 §7): the fixtures of test/fixtures/data/parquet, read from their footer and first row group.
const PQ = path.resolve(__dirname, '../../../test/fixtures/data/parquet');

void test('.parquet files: each format detected, pairs counted from the footer, byte lengths for the truncation check', () => {
  const probe = createProbe();
  const cases: [string, string, number][] = [['explicit', 'explicit', 6], ['hh-implicit', 'implicit', 6], ['conversational', 'conversational', 6], ['sharegpt', 'sharegpt', 4]];
  for (const [name, format, pairs] of cases) {
    const file = path.join(PQ, `${name}.parquet`);
    assert.deepEqual(sniffFile(probe, file, 'auto'), { rows: pairs, format }, name);
    assert.equal(countPairs(probe, file), pairs, name);
  }
  const cfg = path.join(PQ, 'x.orpo.yaml');
  const lengths = validateDocument('name: t\ndata:\n  train: explicit.parquet\n  max_length: 64\n', { path: cfg, fs: probe });
  assert.match(lengths.find((d) => d.code === 'truncation')?.message ?? '', /^6 of 6 pairs exceed max_length 64/);
  const h = getHover('name: t\ndata:\n  train: sharegpt.parquet\n', { line: 2, character: 12 }, { path: cfg, fs: probe });
  assert.match(h?.contents.value ?? '', /Format: `sharegpt` \(detected\)[\s\S]*Pairs: 4/);
});

void test('a bad .parquet row is reported with its row number (no line); a file that is not Parquet is fatal', () => {
  const cfg = path.join(PQ, 'x.orpo.yaml');
  const ds = validateDocument('name: t\ndata:\n  train: bad-rows.parquet\n', { path: cfg, fs: createProbe() });
  const row = ds.find((d) => d.code === 'data-row');
  assert.equal(row?.message, `${path.join(PQ, 'bad-rows.parquet')}: bad row 2 (format explicit): field "chosen" must be a string, got null (format explicit)`);
  const hover = getHover('name: t\ndata:\n  train: bad-rows.parquet\n', { line: 2, character: 12 }, { path: cfg, fs: createProbe() });
  assert.match(hover?.contents.value ?? '', /First bad row: row 2: field "chosen"/);
  const jsonl = fs.readFileSync(path.join(DATA, 'explicit.jsonl'));
  const pq = fs.readFileSync(path.join(PQ, 'explicit.parquet'));
  const probe = createProbe(memoryFileAccess({ '/p/a.parquet': jsonl, '/p/cut.parquet': pq.subarray(0, 100), '/p/ok.parquet': pq }));
  assert.match(sniffFile(probe, '/p/a.parquet', 'auto').fatal ?? '', /^cannot read a\.parquet: not a Parquet file/);
  assert.match(sniffFile(probe, '/p/cut.parquet', 'auto').fatal ?? '', /^cannot read cut\.parquet: not a Parquet file/);
  assert.equal(sniffFile(probe, '/p/ok.parquet', 'sharegpt').problem?.message, 'missing field "conversations" (format sharegpt)');
});
