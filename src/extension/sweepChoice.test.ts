// Node tests of Start Run's question on a config with a `sweep:` section: asked only when it has one,
// naming the grid size and the line, and the answer decides between the sweep, one run and nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { START_ONE_RUN, START_THE_SWEEP, sweepDecision, sweepQuestion } from './sweepChoice';

const base = 'name: tiny\nlambda: 0.5\ntrain:\n  max_steps: 3\n';

void test('a config with sweep: asks, naming the grid and its line; one without asks nothing', () => {
  const q = sweepQuestion(`${base}sweep:\n  lambda: [0.1, 0.5]\n  seed: [1, 2, 3]\n`, 'tiny.orpo.yaml');
  assert.ok(q);
  assert.equal(q.message, 'tiny.orpo.yaml has a sweep: section (6 variants, line 5). Start the sweep, or one run that ignores it?');
  assert.match(q.detail, /orpo-lab sweep tiny\.orpo\.yaml/);
  assert.deepEqual(q.buttons, [START_THE_SWEEP, START_ONE_RUN]);
  assert.match(sweepQuestion(`${base}sweep:\n  mode: zip\n  lambda: [0.1, 0.5]\n  seed: [1, 2]\n`, 'z.orpo.yaml')?.message ?? '', /\(2 variants, line 5\)/);
  assert.equal(sweepQuestion(base, 'tiny.orpo.yaml'), undefined);
  assert.equal(sweepQuestion(`${base}# sweep: [not a section]\n`, 'tiny.orpo.yaml'), undefined);
  assert.equal(sweepQuestion('name: [unclosed\n', 'tiny.orpo.yaml'), undefined, 'unparsable text: validation speaks instead');
});

void test('the answer decides: the sweep, one run, or nothing when dismissed', () => {
  assert.equal(sweepDecision(START_THE_SWEEP), 'sweep');
  assert.equal(sweepDecision(START_ONE_RUN), 'run');
  assert.equal(sweepDecision(undefined), 'cancel');
});
