// The run directory side of `orpo-lab train`: which directory a run writes (a fresh one created
// atomically, an explicit --out, or the run being resumed), taken under the run lock before any data
// is read; the checks a checkpoint passes before a resume trusts it; and failures turned into words
// (an `error` event and one stderr line; the stack only with ORPO_LAB_DEBUG=1).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExperimentConfig } from '../../common/config';
import type { EngineEvent } from '../../common/events';
import { outputDirProblem } from '../../common/paths';
import { cleanOrphanTemps, latestCheckpoint } from '../train/checkpoint';
import { checkModelConfig, CheckpointError, readTrainerState, verifyManifest } from '../train/checkpointCheck';
import { isMemoryFault, memoryFaultMessage } from '../train/fatal';
import { acquireRunLock, claimOutDir, createRunDir, removeIfEmpty, RunDirError, type RunLock } from '../train/runLock';

/** train.ts's exit codes: 1 a failure, 2 an invalid config or dataset. */
const FAILURE = 1;
const INVALID = 2;

export interface OpenedRun {
  runDir: string;
  /** The checkpoint to resume from. */
  resumeFrom?: string;
  /** Releases the lock; removes the directory if this run created it and wrote nothing into it. */
  close(): void;
}

type Emit = (e: EngineEvent) => void;
type Log = (line: string) => void;

function refuse(message: string, code: number, emit: Emit): number {
  process.stderr.write(`[orpo-lab] error: ${message}\n`);
  emit({ type: 'error', message });
  return code;
}

/** Opens the run's directory under its lock, or returns an exit code after saying why not. */
export function openRun(cfg: ExperimentConfig, configDir: string, flags: { resume?: string; checkpoint?: string; out?: string }, emit: Emit, log: Log): OpenedRun | number {
  const target = resolve(flags.resume ?? flags.out ?? resolve(configDir, cfg.output_dir));
  const sys = outputDirProblem(target);
  if (sys) return refuse(`${flags.resume ? '--resume' : flags.out ? '--out' : 'output_dir'}: ${sys}`, INVALID, emit);
  let lock: RunLock;
  let created = false;
  try {
    if (flags.resume) {
      if (!existsSync(target)) return refuse(`${flags.resume}: no such run directory`, FAILURE, emit);
      lock = acquireRunLock(target, log);
    } else if (flags.out) {
      created = !existsSync(target);
      lock = claimOutDir(target, log);
    } else {
      lock = acquireRunLock(createRunDir(target, cfg.name), log);
      created = true;
    }
  } catch (e) {
    if (e instanceof RunDirError) return refuse(e.message, FAILURE, emit);
    return refuse(`${target}: cannot create the run directory: ${(e as Error).message}`, FAILURE, emit);
  }
  const runDir = lock.dir;
  const close = () => {
    lock.release();
    if (created) removeIfEmpty(runDir);
  };
  const orphans = cleanOrphanTemps(runDir);
  if (orphans.length) log(`removed ${orphans.length} unfinished checkpoint temporar${orphans.length === 1 ? 'y' : 'ies'} left by an earlier crash: ${orphans.join(', ')}`);
  if (!flags.resume) return { runDir, close };
  const resumeFrom = flags.checkpoint ?? latestCheckpoint(runDir);
  if (!resumeFrom) {
    close();
    return refuse(`${flags.resume}: no complete checkpoint under ${join(runDir, 'checkpoints')} to resume from`, FAILURE, emit);
  }
  return { runDir, resumeFrom, close };
}

/**
 * Checks a checkpoint before the resume uses it: checksums, trainer_state.json (step within the run's
 * `total` steps) and the model config. Returns the step it resumes at; throws CheckpointError.
 */
export function checkResume(dir: string, cfg: ExperimentConfig, configDir: string, total: number, log: Log): number {
  if (!verifyManifest(dir)) log(`${dir}: written before checkpoints carried checksums (manifest.json); its files are not verified`);
  const state = readTrainerState(dir, total);
  let source: Record<string, unknown> | undefined;
  if (cfg.model.from !== 'scratch') {
    try {
      source = JSON.parse(readFileSync(join(resolve(configDir, cfg.model.from), 'config.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      source = undefined; // model.from was validated before; a vanished source only skips this comparison
    }
  }
  checkModelConfig(dir, cfg, source);
  return state.step;
}

/** The `error` event and stderr line for a failure of the run; returns the exit code. */
export function reportFailure(e: unknown, emit: Emit, log: Log): number {
  const message = isMemoryFault(e) ? memoryFaultMessage(e, undefined, undefined) : e instanceof Error ? e.message : String(e);
  // The message is for the user; the stack only when asked for (ORPO_LAB_DEBUG=1).
  log(process.env.ORPO_LAB_DEBUG && e instanceof Error ? (e.stack ?? message) : `error: ${message}`);
  emit({ type: 'error', message });
  return FAILURE;
}

/** A stop before training began: nothing was written (a fresh directory is removed on close); exit 0. */
export function stoppedBeforeStart(runDir: string, resumeFrom: string | undefined, emit: Emit, log: Log, step = 0): number {
  log(`stopped before training began; ${resumeFrom ? `the run stays at its checkpoint ${resumeFrom}` : 'nothing was written'}`);
  emit({ type: 'finished', reason: 'stopped', step, run_dir: runDir, wall_s: 0, summary: {} });
  return 0;
}

/** An error loading a resumed checkpoint's model, restated against its weights file. */
export function inCheckpoint(e: unknown, dir: string): Error {
  if (e instanceof CheckpointError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  // An error that already names a file of the checkpoint (a LoRA adapter's) keeps it.
  const named = raw.startsWith(`${dir}/`) ? raw.indexOf(': ') : -1;
  if (named > 0) return new CheckpointError(raw.slice(0, named), raw.slice(named + 2));
  return new CheckpointError(join(dir, 'model.safetensors'), raw.replace(`${dir}: `, ''));
}
