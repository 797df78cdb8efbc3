// The `backend` event (a run's first, issue 11 §5) through the protocol's validation: what the engine
// emits parses; a missing reason, non-numeric times or a non-string cache date are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEvent, parseEvent, type BackendEvent } from './events';

const timed: BackendEvent = { type: 'backend', requested: 'auto', backend: 'webgpu', device: 'nvidia hopper NVIDIA H100', reason: 'webgpu: 41 ms/step vs native 452 ms/step, timed now', times: { webgpu: 41, native: 452 } };

test('a backend event round-trips, timed, cached or without times', () => {
  for (const e of [timed, { ...timed, cached_from: '2026-11-29T09:00:00.000Z' }, { type: 'backend', requested: 'cpu', backend: 'cpu', device: 'CPU', reason: 'cpu: named' } as BackendEvent]) {
    const p = parseEvent(formatEvent(e));
    assert.ok(p.ok);
    assert.deepEqual(p.value, e);
  }
});

test('a malformed backend event is refused with what it needs', () => {
  const noReason: Partial<BackendEvent> = { ...timed };
  delete noReason.reason;
  for (const bad of [noReason, { ...timed, times: { webgpu: '41' } }, { ...timed, times: [41] }, { ...timed, cached_from: 5 }, { ...timed, requested: 1 }]) {
    const p = parseEvent(JSON.stringify(bad));
    assert.ok(!p.ok, JSON.stringify(bad));
    assert.match(p.error, /^backend: needs requested, backend, device, reason/);
  }
});
