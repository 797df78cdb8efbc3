// SectionedLog: one channel, a header per run folder, interleaved runs kept apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SectionedLog } from './runLog';

test('each run writes under a header named after its folder; a switch of writer repeats the header', () => {
  let text = '';
  const log = new SectionedLog({ append: (t) => { text += t; }, show: () => {} });
  let folder = 'tiny.orpo.yaml';
  const a = log.section(() => folder);
  const b = log.section(() => 'long-20261129-071200');
  a.appendLine('[orpo-lab] starting tiny.orpo.yaml');
  folder = 'tiny-20261129-071100';
  a.append('[orpo-lab] backend wasm');
  b.appendLine('[orpo-lab] resuming');
  a.appendLine(': CPU');
  assert.equal(text, [
    '── tiny.orpo.yaml ──', '[orpo-lab] starting tiny.orpo.yaml',
    '── tiny-20261129-071100 ──', '[orpo-lab] backend wasm',
    '── long-20261129-071200 ──', '[orpo-lab] resuming',
    '── tiny-20261129-071100 ──', ': CPU', '',
  ].join('\n'));
});
