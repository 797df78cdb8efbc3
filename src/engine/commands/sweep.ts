// `orpo-lab sweep CONFIG [--parallel N] [--max-steps N] [--backend NAME]` and `orpo-lab sweep --resume
// SWEEP_DIR` (issue 15): validates the config and its `sweep:` section, creates
// `<output_dir>/<name>-<timestamp>/` with one generated config and one run directory per variant (named
// after its values) and a sweep.json index, then runs the variants (sweepRunner.ts). SIGINT, SIGTERM or
// a `{"type":"stop"}` line on stdin stops every variant at a checkpoint; --resume skips completed
// variants and resumes the others from their checkpoints (after a kill -9 of the sweep, once its variants,
// which follow it, have checkpointed). The sweep process holds SWEEP_DIR/run.lock. stdout carries sweep
// events (sweepIndex.ts).
// Exit codes: 0 every variant completed or the sweep was stopped, 2 invalid config, 1 a variant crashed.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { parseControl } from '../../common/events';
import { specAt, specPaths, type FieldSpec } from '../../common/schema';
import { applyVariant, expandGrid, readSweep } from '../../common/sweep';
import { SWEEP_INDEX, parseSweepIndex, statusCounts, type SweepEvent, type SweepIndex } from '../../common/sweepIndex';
import { formatDiagnostic, validateConfigFile } from '../../server/service';
import { UsageError, flagString, parseCommand, type CommandSpec } from '../args';
import { latestCheckpoint } from '../train/checkpoint';
import { acquireRunLock, createRunDir, liveLockOwner, RunDirError } from '../train/runLock';
import { SweepRunner, writeIndex } from './sweepRunner';

export const USAGE = 'sweep CONFIG [--parallel N] [--max-steps N] [--backend NAME] | sweep --resume SWEEP_DIR [--parallel N]';

export const SWEEP_SPEC: CommandSpec = {
  name: 'sweep',
  positionals: 'CONFIG',
  minPositionals: 0,
  maxPositionals: 1,
  summary: "Runs every variant of the config's sweep: section (the product of its lists, or zip) as one experiment: <output_dir>/<name>-<timestamp>/ with a run directory per variant and a sweep.json index. SIGINT/SIGTERM stop every variant at a checkpoint.",
  options: {
    parallel: { type: 'string', arg: 'N', help: 'variants run at once; the threads are divided among them (1)' },
    'max-steps': { type: 'string', arg: 'N', help: "each variant's train.max_steps" },
    backend: { type: 'string', arg: 'NAME', help: "each variant's backend" },
    resume: { type: 'string', arg: 'SWEEP_DIR', help: 'resume a stopped or killed sweep: finished variants are skipped, the others resume from their checkpoints (no CONFIG)' },
  },
  notes: ['To resume: orpo-lab sweep --resume SWEEP_DIR [--parallel N]'],
};

const log = (line: string): void => { process.stderr.write(`[orpo-lab sweep] ${line}\n`); };
const emit = (e: SweepEvent): void => { process.stdout.write(JSON.stringify(e) + '\n'); };

type Obj = Record<string, unknown>;

/** Whether a string value at this spec is a path (not one of its literal exceptions). */
function isPathValue(spec: FieldSpec | undefined, v: string): boolean {
  if (!spec) return false;
  if (spec.kind === 'string') return !!spec.path && !(spec.path.except ?? []).includes(v);
  if (spec.kind === 'union') return spec.variants.some((x) => isPathValue(x, v));
  return false;
}

/** Every path-valued string made absolute against the config's folder, so a generated config runs from anywhere. */
export function absolutePaths(raw: Obj, configDir: string): Obj {
  for (const path of specPaths()) {
    let parent: unknown = raw;
    for (const k of path.slice(0, -1)) parent = parent && typeof parent === 'object' ? (parent as Obj)[k] : undefined;
    if (!parent || typeof parent !== 'object' || Array.isArray(parent)) continue;
    const key = path[path.length - 1] as string;
    const v = (parent as Obj)[key];
    if (typeof v === 'string' && isPathValue(specAt(path), v)) (parent as Obj)[key] = resolve(configDir, v);
  }
  return raw;
}

/** Creates the sweep directory, its variant configs and index; undefined (problems printed) when the config is invalid. */
function prepare(configArg: string, parallel: number): { dir: string; index: SweepIndex } | undefined {
  const configPath = resolve(configArg);
  if (!existsSync(configPath)) {
    process.stderr.write(`${configArg}:1:1: error: config file not found\n`);
    return undefined;
  }
  const { diagnostics, value, text } = validateConfigFile(configPath);
  for (const d of diagnostics) process.stderr.write(formatDiagnostic(configPath, d) + '\n');
  if (diagnostics.some((d) => d.severity === 'error')) return undefined;
  const sweep = readSweep(value);
  if (!sweep) {
    process.stderr.write(`${configPath}:1:1: error: the config has no sweep: section; add one (e.g. sweep: {lambda: [0.1, 0.5]}) or use orpo-lab train\n`);
    return undefined;
  }
  const raw = value as Obj;
  const configDir = dirname(configPath);
  const name = String(raw.name);
  const dir = createRunDir(resolve(configDir, typeof raw.output_dir === 'string' ? raw.output_dir : 'runs'), name);
  mkdirSync(join(dir, 'configs'), { recursive: true });
  writeFileSync(join(dir, 'sweep.orpo.yaml'), text);
  const variants = expandGrid(sweep).map((v) => {
    const cfg = absolutePaths(applyVariant(raw, v.values), configDir);
    cfg.name = `${name}-${v.name}`;
    cfg.output_dir = dir;
    const config = join('configs', `${v.name}.orpo.yaml`);
    writeFileSync(join(dir, config), `# Variant ${v.name} of the sweep ${dir}, generated from ${configPath}\n${stringify(cfg)}`);
    return { name: v.name, values: v.values, run_dir: v.name, config, status: 'pending' as const };
  });
  const index: SweepIndex = { version: 1, name, config: configPath, created: new Date().toISOString(), mode: sweep.mode, axes: sweep.axes, parallel, variants };
  writeIndex(dir, index);
  return { dir, index };
}

/** How long --resume waits for a variant process of a killed sweep to checkpoint and exit. */
const ORPHAN_WAIT_MS = 120_000;

/** Waits until no live process holds DIR/run.lock; false when one still does after `ms`. */
async function lockReleased(dir: string, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; liveLockOwner(dir); ) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return true;
}

/**
 * Reads SWEEP_DIR/sweep.json for --resume. A variant that a killed sweep left `running` may still be
 * checkpointing (its process follows the sweep, parentWatch.ts): waited for. A variant's run directory
 * with no checkpoint is moved aside, not deleted.
 */
async function reopen(dirArg: string): Promise<{ dir: string; index: SweepIndex }> {
  const dir = resolve(dirArg);
  const file = join(dir, SWEEP_INDEX);
  if (!existsSync(file)) throw new UsageError(`${file}: not found (is ${dirArg} a sweep directory?)`);
  const parsed = parseSweepIndex(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new UsageError(`${file}: ${parsed.error}`);
  for (const v of parsed.value.variants) {
    const runDir = join(dir, v.run_dir);
    if (v.status === 'running') log(`${v.name}: the sweep that ran it ended without recording its end (killed?)`);
    const owner = existsSync(runDir) ? liveLockOwner(runDir) : undefined;
    if (owner) {
      log(`${v.name}: waiting for its process ${owner.pid} to checkpoint and stop`);
      if (!(await lockReleased(runDir, ORPHAN_WAIT_MS))) throw new RunDirError(`${runDir} is still in use by process ${owner.pid} after ${ORPHAN_WAIT_MS / 1000} s; stop it (kill ${owner.pid}) and resume the sweep again`);
    }
    if (v.status === 'completed' || !existsSync(runDir)) continue;
    const ck = latestCheckpoint(runDir);
    if (ck) {
      if (v.status === 'running') log(`${v.name}: resuming from ${ck}`);
      continue;
    }
    const aside = `${runDir}.incomplete-${Date.now()}`;
    renameSync(runDir, aside);
    log(`${v.name}: no checkpoint to resume from; its partial run moved to ${aside}, starting it again`);
  }
  return { dir, index: parsed.value };
}

export async function main(argv: string[]): Promise<number> {
  const a = parseCommand(SWEEP_SPEC, argv);
  const { positionals } = a;
  const f = { parallel: flagString(a, 'parallel'), 'max-steps': flagString(a, 'max-steps'), backend: flagString(a, 'backend'), resume: flagString(a, 'resume') };
  const posInt = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`--${name} expects a positive integer, got "${v}"`);
    return Number(v);
  };
  const resumeArg = f.resume;
  if (resumeArg ? positionals.length > 0 : positionals.length !== 1) throw new UsageError(`usage: orpo-lab ${USAGE}`);
  let opened;
  let lock;
  try {
    // One sweep process per sweep directory: a second --resume while the first runs is refused.
    if (resumeArg && existsSync(resolve(resumeArg))) lock = acquireRunLock(resolve(resumeArg), log);
    opened = resumeArg ? await reopen(resumeArg) : prepare(positionals[0] as string, posInt('parallel', f.parallel) ?? 1);
  } catch (e) {
    if (!(e instanceof RunDirError)) throw e;
    lock?.release();
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
  if (!opened) return 2;
  const { dir, index } = opened;
  lock ??= acquireRunLock(dir, log);
  const parallel = posInt('parallel', f.parallel) ?? (resumeArg ? index.parallel : 1);
  index.parallel = parallel;
  const total = Number(process.env.ORPO_LAB_THREADS) || availableParallelism();
  const threads = Math.max(1, Math.floor(total / parallel));
  const maxSteps = posInt('max-steps', f['max-steps']);
  const trainFlags = [...(maxSteps ? ['--max-steps', String(maxSteps)] : []), ...(f.backend ? ['--backend', f.backend] : [])];
  const runner = new SweepRunner({ sweepDir: dir, index, parallel, threads, trainFlags, emit, log });

  const onSignal = (sig: NodeJS.Signals) => { log(`${sig}: stopping the sweep`); runner.stop(); };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const stdin = process.stdin.isTTY ? undefined : createInterface({ input: process.stdin });
  stdin?.on('line', (line) => {
    if (!line.trim()) return;
    if (parseControl(line).ok) runner.stop();
    else log(`ignored stdin line: ${line.slice(0, 80)}`);
  });
  const todo = index.variants.filter((v) => v.status !== 'completed').length;
  log(`${dir}: ${index.variants.length} variants (${todo} to run), ${parallel} at a time, ${threads} thread(s) each`);
  emit({ type: 'sweep-started', sweep_dir: dir, variants: index.variants.length, parallel });
  try {
    await runner.run();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    stdin?.close();
    process.stdin.destroy();
    lock.release();
  }
  const counts = statusCounts(index);
  emit({ type: 'sweep-finished', sweep_dir: dir, counts });
  log(`done: ${Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ')}${runner.stopped ? ` (stopped; resume with orpo-lab sweep --resume ${dir})` : ''}`);
  return counts.crashed > 0 ? 1 : 0;
}
