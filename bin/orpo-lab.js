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
}
require('../dist/engine/cli.js');
