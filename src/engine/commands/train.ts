// `orpo-lab train CONFIG [--out DIR] [--max-steps N] [--backend NAME] [--resume RUN_DIR]`:
// validates the config before touching any data, sets up the backend, tokenizer, data and model,
// and runs the trainer. stdout carries one JSON event per line and nothing else; logs go to stderr.
// Exit codes: 0 completed or stopped, 2 invalid config or dataset, 1 anything else.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { BACKENDS } from '../../common/schema';
import { resolveConfig, type Backend, type ExperimentConfig } from '../../common/config';
import { formatEvent, parseControl, type EngineEvent } from '../../common/events';
import { flagInt, flagString, parseArgs, UsageError } from '../args';
import { formatDiagnostic, validateConfigFile } from '../../server/service';
import { selectBackend } from '../backend/select';
import { DataError } from '../data/errors';
import { loadDataset } from '../data/dataset';
import { runFiles } from '../train/runDir';
import { runTraining, totalSteps } from '../train/trainer';
import { buildModel, buildTokenizer, makeSampler } from './setup';
import { takeHeldStop } from './earlyStop';
import { checkResume, inCheckpoint, openRun, reportFailure, stoppedBeforeStart } from './trainRun';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;

const log = (line: string): void => { process.stderr.write(`[orpo-lab] ${line}\n`); };
const emit = (e: EngineEvent): void => { process.stdout.write(formatEvent(e) + '\n'); };

/** Validates CONFIG; prints every problem to stderr. Returns the resolved config, or undefined on errors. */
export function preflight(path: string): { cfg: ExperimentConfig; text: string } | undefined {
  const { diagnostics, value, text } = validateConfigFile(path);
  for (const d of diagnostics) process.stderr.write(formatDiagnostic(path, d) + '\n');
  if (diagnostics.some((d) => d.severity === 'error')) return undefined;
  return { cfg: resolveConfig(value), text };
}

/** The resolved config with every path made absolute, so RUN_DIR/config.yaml runs from anywhere (resume). */
function selfContained(cfg: ExperimentConfig, configDir: string): ExperimentConfig {
  const abs = (p: string) => resolve(configDir, p);
  const out: ExperimentConfig = structuredClone(cfg);
  out.data.train = abs(cfg.data.train);
  if (typeof cfg.data.eval === 'string') out.data.eval = abs(cfg.data.eval);
  if (typeof cfg.tokenizer === 'string' && cfg.tokenizer !== 'bytes') out.tokenizer = abs(cfg.tokenizer);
  if (cfg.model.from !== 'scratch') out.model.from = abs(cfg.model.from);
  out.output_dir = abs(cfg.output_dir);
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const configArg = args.positionals[0];
  if (!configArg || args.positionals.length > 1) throw new UsageError('usage: orpo-lab train CONFIG [--out DIR] [--max-steps N] [--backend NAME] [--resume RUN_DIR]');
  const configPath = resolve(configArg);
  if (!existsSync(configPath)) {
    process.stderr.write(`${configArg}:1:1: error: config file not found\n`);
    return EXIT_INVALID;
  }
  const pre = preflight(configPath);
  if (!pre) return EXIT_INVALID;
  const { cfg } = pre;
  const backendFlag = flagString(args, 'backend');
  if (backendFlag !== undefined) {
    if (!(BACKENDS as readonly string[]).includes(backendFlag)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}`);
    cfg.backend = backendFlag as Backend;
  }
  const maxSteps = flagInt(args, 'max-steps');
  if (maxSteps !== undefined) {
    cfg.train.max_steps = maxSteps;
    delete cfg.train.epochs;
  }
  const configDir = dirname(configPath);
  const resumeArg = flagString(args, 'resume');
  const opened = openRun(cfg, configDir, { resume: resumeArg, out: flagString(args, 'out') }, emit, log);
  if (typeof opened === 'number') return opened;
  const { runDir, resumeFrom } = opened;

  let stop = false;
  const requestStop = (why: string) => {
    if (!stop) log(`stop requested (${why}); checkpointing`);
    stop = true;
  };
  const onSignal = (sig: NodeJS.Signals) => requestStop(sig);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const held = takeHeldStop();
  if (held) requestStop(`${held} during start-up`);
  const stdin = process.stdin.isTTY ? undefined : createInterface({ input: process.stdin });
  stdin?.on('line', (line) => {
    if (!line.trim()) return;
    const msg = parseControl(line);
    if (msg.ok) requestStop('stop message');
    else log(`ignored stdin line: ${msg.error}`);
  });

  try {
    if (stop && !resumeFrom) return stoppedBeforeStart(runDir, resumeFrom, emit, log);
    const backend = await selectBackend(cfg.backend, log);
    log(`backend ${backend.backend}: ${backend.device}`);
    const tokenizer = await buildTokenizer(cfg, configDir);
    let data;
    try {
      data = await loadDataset(cfg.data, { configDir, seed: cfg.seed, tokenizer, skipInvalid: cfg.data.skip_invalid, evalPromptCount: cfg.train.eval_samples });
    } catch (e) {
      if (e instanceof DataError) {
        process.stderr.write(e.message + '\n');
        emit({ type: 'error', message: e.message });
        return EXIT_INVALID;
      }
      throw e;
    }
    for (const w of [...data.notices, ...data.warnings]) emit({ type: 'warning', message: w });
    for (const n of data.notices) log(`warning: ${n}`);
    if (data.warnings.length) log(`skipped ${data.warnings.length} invalid rows (data.skip_invalid)`);
    if (data.dropped) log(`dropped ${data.dropped} pairs whose response was empty after truncation`);
    if (data.train.length === 0) {
      process.stderr.write(`${cfg.data.train}:1: error: no usable training pairs after tokenization\n`);
      return EXIT_INVALID;
    }
    log(`data: ${data.train.length} train / ${data.eval.length} eval pairs (${data.format})`);
    const total = totalSteps(cfg, data.train.length);
    const startStep = resumeFrom ? checkResume(resumeFrom, cfg, configDir, total, log) : 0;
    const model = await buildModel(cfg, configDir, tokenizer, resumeFrom).catch((e: unknown) => { throw resumeFrom ? inCheckpoint(e, resumeFrom) : e; });
    const ref = cfg.method === 'dpo' ? await buildModel(cfg, configDir, tokenizer, undefined) : undefined;
    if (stop) {
      model.dispose();
      ref?.dispose();
      return stoppedBeforeStart(runDir, resumeFrom, emit, log, startStep);
    }
    const files = runFiles(runDir);
    const configYaml = stringify(selfContained(cfg, configDir));
    writeFileSync(resolve(runDir, 'config.yaml'), configYaml);
    emit({
      type: 'started', run_dir: runDir, config: configPath, name: cfg.name, method: cfg.method,
      backend: backend.backend, device: backend.device, total_steps: total, start_step: startStep, pid: process.pid, time: new Date().toISOString(),
    });
    const result = await runTraining({
      cfg, configYaml, model, ref, tokenizer, train: data.train, eval: data.eval, files, totalSteps: total, resumeFrom,
      sample: makeSampler(model, tokenizer, data.evalPrompts, cfg), emit, log, stopRequested: () => stop,
    });
    model.dispose();
    ref?.dispose();
    return result.type === 'finished' ? EXIT_OK : EXIT_FAILURE;
  } catch (e) {
    return reportFailure(e, emit, log);
  } finally {
    opened.close();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    stdin?.close();
    process.stdin.destroy();
  }
}
