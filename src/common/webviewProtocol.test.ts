// The dashboard's message protocol (webviewProtocol.ts): valid messages pass, malformed ones are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostMessage, parseViewMessage } from './webviewProtocol';

const payload = {
  info: { id: '/r', name: 'r', method: 'orpo', dir: '/r', lambda: 0.1 },
  metrics: [{ step: 1, loss: 2, grad_norm: null }],
  distributions: [{ step: 1, chosen_logps: [-1], rejected_logps: [-2], chosen_rewards: [-0.1], rejected_rewards: [-0.2], log_odds: [0.3] }],
  samples: [{ step: 1, prompt: 'p', completion: 'c' }],
  problems: [],
};

void test('host messages: valid ones pass, malformed ones are refused with a reason', () => {
  assert.equal(parseHostMessage({ type: 'runs', runs: [payload] }).ok, true);
  assert.equal(parseHostMessage({ type: 'append', runId: '/r', metrics: [], distributions: [], samples: [], problems: ['x'] }).ok, true);
  assert.equal(parseHostMessage({ type: 'reset', runId: '/r' }).ok, true);
  assert.equal(parseHostMessage({ type: 'gone', runId: '/r' }).ok, true);
  assert.equal(parseHostMessage({ type: 'runs', runs: [{ ...payload, gone: true }] }).ok, true);
  assert.match((parseHostMessage({ type: 'runs', runs: [{ ...payload, gone: 'yes' }] }) as { error: string }).error, /^runs:/);
  assert.match((parseHostMessage({ type: 'gone' }) as { error: string }).error, /^gone: expected runId/);
  assert.match((parseHostMessage({ type: 'runs', runs: [{ ...payload, metrics: [{ loss: 1 }] }] }) as { error: string }).error, /^runs:/);
  assert.match((parseHostMessage({ type: 'append', runId: 3 }) as { error: string }).error, /^append:/);
  assert.match((parseHostMessage({ type: 'nope' }) as { error: string }).error, /unknown message type "nope"/);
  assert.equal(parseHostMessage('runs').ok, false);
});

void test('view messages: save needs a plain file name', () => {
  assert.deepEqual(parseViewMessage({ type: 'ready' }), { ok: true, value: { type: 'ready' } });
  assert.equal(parseViewMessage({ type: 'save', kind: 'csv', filename: 'metrics.csv', data: 'a,b' }).ok, true);
  assert.equal(parseViewMessage({ type: 'save', kind: 'csv', filename: '../../etc/passwd', data: '' }).ok, false);
  assert.equal(parseViewMessage({ type: 'save', kind: 'exe', filename: 'x', data: '' }).ok, false);
  assert.equal(parseViewMessage({ type: 'error', message: 'm' }).ok, true);
  assert.equal(parseViewMessage({ type: 'other' }).ok, false);
});
