// warmup_ratio as transformers' TrainingArguments.get_warmup_steps: ⌈ratio × total steps⌉.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lrFactor, warmupSteps } from './schedule';

void test('warmup_ratio gives ⌈ratio × total⌉ warmup steps; without it warmup_steps counts', () => {
  assert.equal(warmupSteps({ warmup_steps: 0, warmup_ratio: 0.1 }, 25), 3);
  assert.equal(warmupSteps({ warmup_steps: 0, warmup_ratio: 0.1 }, 30), 3);
  assert.equal(warmupSteps({ warmup_steps: 4 }, 30), 4);
  // Step 1 of 25 with ratio 0.1: 3 warmup steps, factor 1/3.
  assert.equal(lrFactor('constant', 1, warmupSteps({ warmup_steps: 0, warmup_ratio: 0.1 }, 25), 25), 1 / 3);
});
