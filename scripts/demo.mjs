// `npm run demo`: trains the embedded default (examples/hh-rlhf-tiny.orpo.yaml) with the built engine,
// shows progress, then prints a short summary: the final train and eval metrics and the run directory.
// Extra arguments go to `orpo-lab train` (e.g. `npm run demo -- --max-steps 20`).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = join(root, 'examples', 'hh-rlhf-tiny.orpo.yaml');
const child = spawn(process.execPath, [join(root, 'dist/engine/cli.js'), 'train', config, '--json', ...process.argv.slice(2)], { stdio: ['pipe', 'pipe', 'inherit'] });
const keys = ['loss', 'nll_loss', 'log_odds_ratio', 'rewards/accuracies', 'rewards/margins', 'logps/chosen', 'logps/rejected'];
const fmt = (v) => (typeof v === 'number' ? v.toFixed(4) : String(v));
let total = 0;
let lastTrain;
const trainRows = [];
let lastEval;
let finished;
let error;
process.on('SIGINT', () => child.stdin.write('{"type":"stop"}\n'));
createInterface({ input: child.stdout }).on('line', (line) => {
  let e;
  try { e = JSON.parse(line); } catch { return; }
  if (e.type === 'started') {
    total = e.total_steps;
    console.log(`ORPO Lab demo: ${e.name} (${e.method}) on ${e.backend} — ${e.device}\nrun directory: ${e.run_dir}`);
  } else if (e.type === 'metrics' && e.split === 'train') {
    lastTrain = e.row;
    trainRows.push(e.row);
    if (e.row.step % 10 === 0 || e.row.step === total) {
      console.log(`step ${String(e.row.step).padStart(4)}/${total}  loss ${fmt(e.row.loss)}  margin ${fmt(e.row['rewards/margins'])}  acc ${fmt(e.row['rewards/accuracies'])}  ${Math.round(e.row.tokens_per_second)} tok/s`);
    }
  } else if (e.type === 'metrics') {
    lastEval = e.row;
    console.log(`  eval @${e.row.step}: loss ${fmt(e.row['eval/loss'])}  margin ${fmt(e.row['eval/rewards/margins'])}  acc ${fmt(e.row['eval/rewards/accuracies'])}`);
  } else if (e.type === 'finished') finished = e;
  else if (e.type === 'error') error = e;
});
child.on('close', (code) => {
  if (finished) {
    console.log(`\n${finished.reason} at step ${finished.step} in ${finished.wall_s.toFixed(0)} s`);
    console.log('final train metrics:');
    for (const k of keys) if (lastTrain && k in lastTrain) console.log(`  ${k.padEnd(20)} ${fmt(lastTrain[k])}`);
    // Single batches are noisy: the separation shows in the means over the first and last 20 steps.
    const mean = (rows, k) => rows.reduce((a, r) => a + r[k], 0) / Math.max(1, rows.length);
    const n = Math.min(20, Math.floor(trainRows.length / 2));
    if (n > 0) {
      console.log(`separation on the training pairs (mean of the first / last ${n} steps):`);
      for (const k of ['rewards/accuracies', 'rewards/margins', 'logps/chosen', 'logps/rejected']) {
        console.log(`  ${k.padEnd(20)} ${fmt(mean(trainRows.slice(0, n), k))} -> ${fmt(mean(trainRows.slice(-n), k))}`);
      }
    }
    if (lastEval) {
      console.log('final eval metrics:');
      for (const k of keys) if (`eval/${k}` in lastEval) console.log(`  ${k.padEnd(20)} ${fmt(lastEval[`eval/${k}`])}`);
    }
    console.log(`run directory: ${finished.run_dir}`);
    console.log(`report: npx orpo-lab report ${finished.run_dir} --out report.html`);
  } else if (error) console.error(`run failed: ${error.message}`);
  process.exit(code ?? 1);
});
