#!/usr/bin/env node
'use strict';
// The orpo-lab CLI: the bundled engine built by `npm run build` (run automatically by `npm ci`).
// For `train`, a stop signal during the bundle's load is recorded, not fatal (src/engine/commands/earlyStop.ts
// shares this state through Symbol.for('orpo-lab.heldStop') and ends the run with a `finished` event).
if (process.argv[2] === 'train') {
  const held = { signal: undefined, record: (sig) => { held.signal = held.signal || sig; } };
  process[Symbol.for('orpo-lab.heldStop')] = held;
  process.on('SIGTERM', held.record);
  process.on('SIGINT', held.record);
  // Tests wait for this line to signal a process that is still loading (test/engine/faults.test.ts).
  if (process.env.ORPO_LAB_TRACE_STARTUP === '1') process.stderr.write('[orpo-lab] holding stop signals during start-up\n');
}
require('../dist/engine/cli.js');
