// The Runs view's refresh timer (soonest.ts): requests merge into one run, and a sooner request (a
// run's exit) is not held behind a later one (its progress).
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { SoonestTimer } from './soonest';

test('requests merge; a sooner request moves the pending run earlier; a later one does not delay it', () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    const runs: number[] = [];
    const t = new SoonestTimer(() => runs.push(Date.now()));
    t.schedule(500); // progress
    t.schedule(500);
    mock.timers.tick(100);
    t.schedule(0); // the run exits: refresh now, not 400 ms later
    mock.timers.tick(0);
    assert.deepEqual(runs, [100]);
    mock.timers.tick(1000);
    assert.deepEqual(runs, [100], 'the earlier request was replaced, not kept beside');
    t.schedule(200);
    mock.timers.tick(50);
    t.schedule(500); // later than pending: merged into it
    mock.timers.tick(150);
    assert.deepEqual(runs, [100, 1300]);
    mock.timers.tick(1000);
    assert.equal(runs.length, 2);
    t.schedule(10);
    t.dispose();
    mock.timers.tick(100);
    assert.equal(runs.length, 2, 'disposed: nothing runs');
  } finally {
    mock.timers.reset();
  }
});
