// The command line of `orpo-lab train`: its options (strict, with --help), KEY=VALUE overrides after
// the config, the output mode (JSON events or the human progress line) and what --resume points at
// (a run directory, or one checkpoint directory inside it).
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { BACKENDS, specPaths } from '../../common/schema';
import type { Backend } from '../../common/config';
import { flagBool, flagChoice, flagInt, flagString, parseCommand, UsageError, type CommandSpec } from '../args';
import { parseOverride, type Override } from './overrides';

const configKeys = specPaths().map((p) => p.join('.'));

export const TRAIN_SPEC: CommandSpec = {
  name: 'train',
  positionals: 'CONFIG [KEY=VALUE...]',
  minPositionals: 1,
  maxPositionals: Infinity,
  summary: 'Trains the experiment CONFIG (*.orpo.yaml) after validating it. KEY=VALUE arguments override config keys (train.max_steps=50 lambda=0.5) and are validated like the file.',
  options: {
    out: { type: 'string', arg: 'DIR', help: 'write the run to DIR instead of OUTPUT_DIR/NAME-TIMESTAMP', alike: ['output', 'output-dir', 'output_dir', 'outdir', 'out-dir', 'run-dir'] },
    'max-steps': { type: 'string', arg: 'N', help: 'stop after N optimizer steps (replaces train.max_steps and train.epochs)', alike: ['steps', 'max_steps'] },
    backend: { type: 'string', arg: 'NAME', help: `one of ${BACKENDS.join(', ')} (replaces the config's backend)` },
    resume: { type: 'string', arg: 'DIR', help: 'continue a run: its directory (from the last checkpoint) or one checkpoint directory in it', alike: ['resume-from', 'resume_from_checkpoint'] },
    json: { type: 'boolean', help: 'one JSON event per line on stdout (the default when stdout is not a terminal)' },
  },
  notes: [
    'On a terminal train shows a progress line and a summary; with --json (or when stdout is a pipe or file) stdout carries only JSON events (src/common/events.ts). Logs go to stderr.',
    'Exit codes: 0 completed or stopped, 2 invalid command line, config or data, 1 anything else. SIGINT, SIGTERM or a {"type":"stop"} line on stdin checkpoints and stops.',
  ],
  unknownHint: (name) => {
    const key = name.replace(/-/g, '_');
    const path = configKeys.find((k) => k === key || k.endsWith('.' + key));
    return path ? `config keys are set as KEY=VALUE after the config: ${path}=...` : undefined;
  },
};

export interface ResumeTarget {
  runDir: string;
  /** The checkpoint named on the command line; undefined = the run's latest. */
  checkpoint?: string;
}

export interface TrainOptions {
  config: string;
  overrides: Override[];
  out?: string;
  maxSteps?: number;
  backend?: Backend;
  resume?: ResumeTarget;
  json: boolean;
}

/** A checkpoint directory holds trainer_state.json; its run is above `checkpoints/` (or its parent). */
export function resumeTarget(arg: string): ResumeTarget {
  const dir = resolve(arg);
  if (!existsSync(join(dir, 'trainer_state.json'))) return { runDir: dir };
  const parent = dirname(dir);
  return { runDir: basename(parent) === 'checkpoints' ? dirname(parent) : parent, checkpoint: dir };
}

/** Parses `train` argv; `stdoutIsTTY` picks the default output. Throws UsageError / HelpRequested. */
export function parseTrainArgs(argv: readonly string[], stdoutIsTTY: boolean): TrainOptions {
  const a = parseCommand(TRAIN_SPEC, argv);
  const [config, ...rest] = a.positionals as [string, ...string[]];
  const resume = flagString(a, 'resume');
  const out = flagString(a, 'out');
  if (resume !== undefined && out !== undefined) throw new UsageError('--resume continues the run in its own directory: it cannot be combined with --out');
  return {
    config,
    overrides: rest.map(parseOverride),
    out,
    maxSteps: flagInt(a, 'max-steps'),
    backend: flagChoice(a, 'backend', BACKENDS),
    resume: resume === undefined ? undefined : resumeTarget(resume),
    json: flagBool(a, 'json') || !stdoutIsTTY,
  };
}
