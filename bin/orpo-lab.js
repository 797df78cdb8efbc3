#!/usr/bin/env node
'use strict';
// The orpo-lab CLI: the bundled engine built by `npm run build` (run automatically by `npm ci`).
require('../dist/engine/cli.js');
