// Saving a dashboard export (exportSave.ts) with an injected dialog and the real file system: the
// dashboard's metrics CSV (webview-ui/model/csv.ts) is asked for a place in the run's folder, written
// byte for byte where the user said, nothing is written when the dialog is cancelled, a failed write
// names the file, and a PNG arrives decoded (issue 12 §3: "CSV export asks where to save").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricsCsv } from '../../../webview-ui/model/csv';
import { MetricSeries } from '../../../webview-ui/model/series';
import { parseViewMessage } from '../../common/webviewProtocol';
import { saveExport, type SaveDialog, type SaveMessage } from './exportSave';

function csvMessage(): { msg: SaveMessage; csv: string } {
  const s = new MetricSeries();
  s.appendRows([
    { step: 1, epoch: 0.5, time: 1.5, loss: 2.5, 'rewards/margins': 0.1 },
    { step: 2, epoch: 1, time: 3, loss: 2, 'rewards/margins': 0.3 },
    { step: 2, epoch: 1, time: 3.5, 'eval/loss': 2.25 },
  ]);
  const csv = metricsCsv([{ name: 'λ-run, α', method: 'orpo', train: s.train, eval: s.eval }]);
  // As the webview posts it, through the protocol's check.
  const m = parseViewMessage({ type: 'save', kind: 'csv', filename: 'metrics.csv', data: csv });
  assert.ok(m.ok && m.value.type === 'save');
  return { msg: m.value, csv };
}

const files = (target: string) => ({
  write: (t: string, bytes: Uint8Array) => writeFile(t, bytes),
  name: (t: string) => t,
  target,
});

void test('CSV export: the dialog opens in the run folder with a CSV filter; the file holds the dashboard CSV', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-save-'));
  const { msg, csv } = csvMessage();
  const asked: SaveDialog[] = [];
  const chosen = join(dir, 'chosen-name.csv');
  const f = files(chosen);
  const r = await saveExport(msg, join(dir, 'run-1'), { ask: async (d) => { asked.push(d); return chosen; }, write: f.write, name: f.name });
  assert.deepEqual(r, { kind: 'saved', target: chosen });
  assert.deepEqual(asked, [{ defaultPath: join(dir, 'run-1', 'metrics.csv'), filters: { CSV: ['csv'] } }]);
  const text = readFileSync(chosen, 'utf8');
  assert.equal(text, csv);
  const lines = text.split('\r\n');
  // Eval rows carry eval/loss under loss, with split "eval" (csv.ts).
  assert.equal(lines[0], 'run,method,split,step,epoch,time,loss,rewards/margins');
  assert.deepEqual(lines.slice(1), ['"λ-run, α",orpo,train,1,0.5,1.5,2.5,0.1', '"λ-run, α",orpo,train,2,1,3,2,0.3', '"λ-run, α",orpo,eval,2,1,3.5,2.25,', '']);
  rmSync(dir, { recursive: true });
});

void test('cancelling the dialog writes nothing; no run folder means no default path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-save-'));
  const { msg } = csvMessage();
  const asked: SaveDialog[] = [];
  let writes = 0;
  const r = await saveExport(msg, undefined, { ask: async (d) => { asked.push(d); return undefined; }, write: async () => { writes++; }, name: String });
  assert.deepEqual(r, { kind: 'cancelled' });
  assert.equal(writes, 0);
  assert.deepEqual(asked, [{ filters: { CSV: ['csv'] } }]);
  assert.deepEqual(readdirSync(dir), []);
  rmSync(dir, { recursive: true });
});

void test('a write that fails is reported naming the file; PNG data is decoded from base64', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-save-'));
  const { msg } = csvMessage();
  const bad = join(dir, 'no-such-folder', 'm.csv');
  const f = files(bad);
  const r = await saveExport(msg, dir, { ask: async () => bad, write: f.write, name: f.name });
  assert.equal(r.kind, 'failed');
  assert.match(r.kind === 'failed' ? r.message : '', new RegExp(`^Could not save ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`));
  assert.equal(existsSync(bad), false);

  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);
  const pngPath = join(dir, 'loss.png');
  const asked: SaveDialog[] = [];
  const p = await saveExport({ type: 'save', kind: 'png', filename: 'loss.png', data: png.toString('base64') }, dir, { ask: async (d) => { asked.push(d); return pngPath; }, write: f.write, name: f.name });
  assert.equal(p.kind, 'saved');
  assert.deepEqual(asked[0]?.filters, { 'PNG image': ['png'] });
  assert.deepEqual(readFileSync(pngPath), png);
  rmSync(dir, { recursive: true });
});
