// The dashboard's saved view state (state.ts): what VS Code restores is checked field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreState, DEFAULT_STATE } from './state';

void test('restored state keeps only well-typed fields', () => {
  assert.deepEqual(restoreState(undefined), DEFAULT_STATE);
  assert.deepEqual(restoreState({ smoothing: 0.9, xAxis: 'time', zoom: [5, 10], hidden: ['a'], distRun: 'a', distIndex: 2, runDirs: ['/r'] }),
    { smoothing: 0.9, xAxis: 'time', zoom: [5, 10], hidden: ['a'], distRun: 'a', distIndex: 2, runDirs: ['/r'] });
  assert.deepEqual(restoreState({ smoothing: 2, xAxis: 'epoch', zoom: [10, 5], hidden: [1], distIndex: -5, runDirs: 'x' }), DEFAULT_STATE);
});
