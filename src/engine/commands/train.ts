// `orpo-lab train CONFIG [KEY=VALUE...] [--out DIR] [--max-steps N] [--backend NAME] [--resume DIR] [--json]`
// (command line: trainArgs.ts): validates the config before touching any data, sets up the backend,
// tokenizer, data and model, and runs the trainer. With --json (or stdout not a terminal) stdout carries
// one JSON event per line and nothing else; on a terminal a progress line (human.ts). Logs go to stderr.
// Exit codes: 0 completed or stopped, 2 invalid config or dataset, 1 anything else.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { chatTemplateKind } from '../../common/chatTemplateSetting';
import { resolveConfig, type ExperimentConfig } from '../../common/config';
import { formatEvent, parseControl, type EngineEvent } from '../../common/events';
import { sweepIgnored } from '../../common/sweep';
import { selectBackend } from '../backend/select';
import { DataError } from '../data/errors';
import { loadDataset } from '../data/dataset';
import { runFiles } from '../train/runDir';
import { runTraining, totalSteps } from '../train/trainer';
import { buildModel, buildTokenizer, frozenNote, makeSampler, runShape } from './setup';
import { adapterProblem } from './adapterCheck';
import { humanSink } from './human';
import { preflightConfig, type Override } from './overrides';
import { parseTrainArgs } from './trainArgs';
import { takeHeldStop } from './earlyStop';
import { checkResume, inCheckpoint, openRun, reportFailure, stoppedBeforeStart } from './trainRun';
import { parentToFollow, watchParent } from './parentWatch';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;

/** Where events and logs go: JSON lines (the default off a terminal), or the human progress line. */
const jsonSink = {
  emit: (e: EngineEvent): void => { process.stdout.write(formatEvent(e) + '\n'); },
  log: (line: string): void => { process.stderr.write(`[orpo-lab] ${line}\n`); },
};
let sink = jsonSink;
const log = (line: string): void => sink.log(line);
const emit = (e: EngineEvent): void => sink.emit(e);

/** Validates CONFIG, then CONFIG with the overrides; prints every problem to stderr. Undefined on errors. */
export function preflight(path: string, overrides: readonly Override[] = []): { cfg: ExperimentConfig; raw: unknown } | undefined {
  const { value, lines } = preflightConfig(path, overrides);
  for (const l of lines) process.stderr.write(l + '\n');
  return value === undefined ? undefined : { cfg: resolveConfig(value), raw: value };
}

/** A config with `sweep:` trains once, as written: said like a validation warning, and as a warning event with --json. */
function warnSweepIgnored(raw: unknown, configPath: string, configArg: string, json: boolean): void {
  const note = sweepIgnored(raw, readFileSync(configPath, 'utf8'), configArg);
  if (!note) return;
  process.stderr.write(`${configPath}:${note.line}:1: warning: ${note.message}\n`);
  if (json) emit({ type: 'warning', message: `${configPath}:${note.line}: ${note.message}` });
}

/** The resolved config with every path made absolute, so RUN_DIR/config.yaml runs from anywhere (resume). */
function selfContained(cfg: ExperimentConfig, configDir: string): ExperimentConfig {
  const abs = (p: string) => resolve(configDir, p);
  const out: ExperimentConfig = structuredClone(cfg);
  out.data.train = abs(cfg.data.train);
  if (typeof cfg.data.eval === 'string') out.data.eval = abs(cfg.data.eval);
  if (typeof cfg.tokenizer === 'string' && cfg.tokenizer !== 'bytes') out.tokenizer = abs(cfg.tokenizer);
  if (cfg.model.from !== 'scratch') out.model.from = abs(cfg.model.from);
  if (cfg.chat_template !== undefined && chatTemplateKind(cfg.chat_template) === 'file') out.chat_template = abs(cfg.chat_template);
  if (cfg.model.adapter !== undefined) out.model.adapter = abs(cfg.model.adapter);
  out.output_dir = abs(cfg.output_dir);
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const opts = parseTrainArgs(argv, process.stdout.isTTY === true);
  sink = opts.json ? jsonSink : humanSink(process.stdout, process.stderr);
  const configArg = opts.config;
  const configPath = resolve(configArg);
  if (!existsSync(configPath)) {
    process.stderr.write(`${configArg}:1:1: error: config file not found\n`);
    return EXIT_INVALID;
  }
  const pre = preflight(configPath, opts.overrides);
  if (!pre) return EXIT_INVALID;
  const { cfg } = pre;
  warnSweepIgnored(pre.raw, configPath, configArg, opts.json);
  if (opts.backend !== undefined) cfg.backend = opts.backend;
  if (opts.maxSteps !== undefined) {
    cfg.train.max_steps = opts.maxSteps;
    delete cfg.train.epochs;
  }
  const configDir = dirname(configPath);
  const opened = openRun(cfg, configDir, { ...(opts.resume ? { resume: opts.resume.runDir, ...(opts.resume.checkpoint ? { checkpoint: opts.resume.checkpoint } : {}) } : {}), ...(opts.out ? { out: opts.out } : {}) }, emit, log);
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
  // A sweep variant stops when its sweep process dies, even by kill -9 (parentWatch.ts).
  const parent = parentToFollow();
  const watch = parent === undefined ? undefined : watchParent(parent, requestStop);
  stdin?.on('close', () => watch?.check());

  try {
    if (stop && !resumeFrom) return stoppedBeforeStart(runDir, resumeFrom, emit, log);
    const tokenizer = await buildTokenizer(cfg, configDir);
    // The first event: the backend and why (`auto` may time this run's shape on a GPU and on native).
    const shape = await runShape(cfg, configDir, tokenizer, resumeFrom);
    const cacheWarnings: string[] = []; // a corrupt or unwritable timing cache: said right after the backend
    const backend = await selectBackend(cfg.backend, log, { ...(shape ? { shape } : {}), warn: (m) => cacheWarnings.push(m) });
    emit({
      type: 'backend', requested: cfg.backend, backend: backend.backend, device: backend.device, reason: backend.reason,
      ...(backend.times ? { times: backend.times } : {}), ...(backend.cachedFrom ? { cached_from: backend.cachedFrom } : {}),
    });
    for (const message of cacheWarnings) {
      log(`warning: ${message}`);
      emit({ type: 'warning', message });
    }
    log(`backend ${backend.backend}: ${backend.device} (${backend.reason})`);
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
    const ref = cfg.method === 'dpo' ? await buildModel(cfg, configDir, tokenizer, undefined, true) : undefined;
    for (const [who, m] of [['', model], ['DPO reference: ', ref]] as const) {
      const note = m && frozenNote(m);
      if (note) log(who + note);
    }
    const tooBig = adapterProblem(model, cfg);
    if (tooBig) {
      model.dispose();
      ref?.dispose();
      process.stderr.write(`error: ${tooBig}\n`);
      emit({ type: 'error', message: tooBig });
      return EXIT_INVALID;
    }
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
    watch?.stop();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    stdin?.close();
    process.stdin.destroy();
  }
}
