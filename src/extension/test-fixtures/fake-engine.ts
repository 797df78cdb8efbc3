// A fake `orpo-lab` engine for the run manager's Node tests (not shipped). It speaks the real protocol
// of src/common/events.ts (events built with the shared types and `formatEvent`), writes a run
// directory like the engine's (config.yaml, metrics.jsonl, checkpoints/step-N/), and misbehaves on
// demand. The scenario is the config file's `scenario:` line:
//   normal     3 steps, checkpoint, finished completed
//   malformed  like normal, with junk lines, an unknown event type and events split across writes
//   crash      2 steps, a stack trace on stderr, exit 1 without `finished`
//   error      1 step, an `error` event naming the last checkpoint, exit 1
//   invalid    `file:line:col: error: ...` on stderr, exit 2
//   endless    a step every 20 ms until stopped (stdin stop line or SIGTERM): checkpoint, finished stopped
//   deaf       like endless but ignores the stdin stop line (SIGTERM still works)
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { formatEvent, parseControl, type EngineEvent } from '../../common/events';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const [cmd, configArg] = argv;
if (cmd !== 'train' || !configArg) {
  process.stderr.write('usage: fake-engine train CONFIG [--out DIR] [--resume DIR]\n');
  process.exit(1);
}
const configPath = resolve(configArg);
const text = readFileSync(configPath, 'utf8');
const scenario = /^scenario:\s*(\S+)/m.exec(text)?.[1] ?? 'normal';
const name = /^name:\s*(\S+)/m.exec(text)?.[1] ?? basename(configPath);
const resumeDir = flag('resume');
const runDir = resolve(resumeDir ?? flag('out') ?? join(dirname(configPath), 'runs', `${name}-${Date.now()}`));
const total = Number(flag('max-steps') ?? (scenario === 'endless' || scenario === 'deaf' ? 100000 : 3));
const startStep = resumeDir ? Number(/^resumed_at:\s*(\d+)/m.exec(safeRead(join(runDir, 'state.txt')))?.[1] ?? 0) : 0;

function safeRead(p: string): string {
  try { return readFileSync(p, 'utf8'); } catch { return ''; }
}
const emit = (e: EngineEvent) => process.stdout.write(formatEvent(e) + '\n');

mkdirSync(runDir, { recursive: true });
writeFileSync(join(runDir, 'config.yaml'), text);
let step = startStep;

function trainStep(): void {
  step++;
  const row = { step, epoch: step / 10, time: step * 0.02, loss: 2 / step, 'rewards/accuracies': 0.5 + step / (2 * (step + 1)), 'rewards/margins': 0.01 * step };
  appendFileSync(join(runDir, 'metrics.jsonl'), JSON.stringify(row) + '\n');
  emit({ type: 'metrics', split: 'train', row });
}

function checkpoint(): string {
  const dir = join(runDir, 'checkpoints', `step-${step}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(16));
  writeFileSync(join(runDir, 'state.txt'), `resumed_at: ${step}\n`);
  emit({ type: 'checkpoint', step, path: dir });
  return dir;
}

function finish(reason: 'completed' | 'stopped'): never {
  checkpoint();
  emit({ type: 'finished', reason, step, run_dir: runDir, wall_s: 0.1, summary: { loss: 2 / Math.max(step, 1) } });
  process.exit(0);
}

if (scenario === 'invalid') {
  process.stderr.write(`${configPath}:3:10: error: model.layers must be an integer >= 1\n`);
  process.exit(2);
}

emit({
  type: 'started', run_dir: runDir, config: configPath, name, method: 'orpo', backend: 'cpu', device: 'fake',
  total_steps: total, start_step: startStep, pid: process.pid, time: new Date().toISOString(),
});
process.stderr.write(`fake engine: scenario ${scenario}, run dir ${runDir}\n`);

switch (scenario) {
  case 'normal':
    while (step < total) trainStep();
    emit({ type: 'metrics', split: 'eval', row: { step, epoch: 0.3, time: 0.1, 'eval/loss': 1.5 } });
    finish('completed');
    break;
  case 'malformed': {
    trainStep();
    process.stdout.write('this is not json\n');
    process.stdout.write('{"type":"mystery","x":1}\n');
    process.stdout.write('{"type":"metrics","split":"train"}\n');
    process.stdout.write('\n');
    // One event split over two writes: the reader must join them.
    const line = formatEvent({ type: 'warning', message: 'split across writes' });
    process.stdout.write(line.slice(0, 10));
    setTimeout(() => {
      process.stdout.write(line.slice(10) + '\n');
      while (step < total) trainStep();
      finish('completed');
    }, 30);
    break;
  }
  case 'crash':
    trainStep();
    trainStep();
    process.stderr.write('RangeError: fake out of memory\n    at step (fake-engine.ts:1:1)\n');
    process.exit(1);
    break;
  case 'error': {
    trainStep();
    const ck = checkpoint();
    emit({ type: 'error', message: 'loss became NaN at step 2', step: 2, checkpoint: ck });
    process.exit(1);
    break;
  }
  case 'endless':
  case 'deaf': {
    const timer = setInterval(() => { if (step < total) trainStep(); else { clearInterval(timer); finish('completed'); } }, 20);
    const stop = () => { clearInterval(timer); finish('stopped'); };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    if (scenario === 'endless') {
      createInterface({ input: process.stdin }).on('line', (l) => { if (parseControl(l).ok) stop(); });
    } else {
      process.stdin.resume();
    }
    break;
  }
  default:
    process.stderr.write(`fake engine: unknown scenario ${scenario}\n`);
    process.exit(1);
}
