// `orpo-lab train CONFIG --engine trl [--launcher accelerate|torchrun] [--accelerate-config NAME]
// [--python PATH] [--out RUN_DIR | --resume RUN_DIR]` (issue 14): the experiment on Hugging Face TRL with the user's
// Python (the extension passes its `orpoLab.pythonPath` setting as --python; ORPO_LAB_PYTHON otherwise).
// The export (export.ts) goes into RUN_DIR/trl-export, the launcher runs its train.py, and the run
// directory its callback writes is followed (runTail.ts) to stream the same JSON events as a local run.
// The run directory records its engine (engine.json) and is locked (run.lock) while the run goes.
// --resume RUN_DIR continues a TRL run from its newest checkpoints/checkpoint-N with trainer state
// (train.py --resume: transformers' resume_from_checkpoint), with the export already in the run directory;
// metrics written after that checkpoint are set aside as the engine does (metrics.jsonl.before-resume-N).
// A missing Python, torch, transformers, trl, accelerate, datasets or (for LoRA) peft is a clear error with the command
// that installs it (src/common/pythonProbe.ts). stdout carries only events; the launcher's output goes to stderr.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { formatEvent, parseControl, type EngineEvent } from '../../common/events';
import { UsageError } from '../args';
import { DataError } from '../data/errors';
import { ENGINE_FILE, parseEngineInfo } from '../../common/runEngine';
import { lastTrainerCheckpoint, RunDirTail } from '../export/runTail';
import { ExportError } from '../export/trlMapping';
import { lacksMessage, modulesFor, notFoundMessage, parseProbe, probeScript, TRL_MODULES } from '../../common/pythonProbe';
import { runFiles } from '../train/runDir';
import { acquireRunLock, claimOutDir, createRunDir, RunDirError, type RunLock } from '../train/runLock';
import { loadConfig, writeExport } from './export';
import { EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from './train';

const USAGE = 'usage: orpo-lab train CONFIG --engine trl [--launcher accelerate|torchrun] [--accelerate-config single_gpu|multi_gpu|fsdp|deepspeed_zero3] [--python PATH] [--out RUN_DIR | --resume RUN_DIR]';
export const PYTHON_MODULES = TRL_MODULES;
const ACCELERATE_CONFIGS = ['single_gpu', 'multi_gpu', 'fsdp', 'deepspeed_zero3'];

/** True when argv asks for the TRL engine (cli.ts routes `train` here then). */
export const wantsTrl = (argv: readonly string[]): boolean => argv.some((a, i) => a === '--engine=trl' || (a === '--engine' && argv[i + 1] === 'trl'));

/** Checks that `python` runs and has what the export needs (peft too for LoRA); undefined when it does, else the reason. */
export function checkPython(python: string, lora = false): string | undefined {
  const modules = modulesFor(lora);
  const r = spawnSync(python, ['-c', probeScript(modules)], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? notFoundMessage(python, lora) : `cannot run "${python}": ${r.error.message}`;
  }
  const info = parseProbe(r.stdout, modules);
  if (!info) return `"${python}" did not run as Python 3 (exit ${String(r.status)}): ${(r.stderr || r.stdout).trim().slice(0, 300)}`;
  return info.missing.length ? lacksMessage(python, info, lora) : undefined;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { json: { type: 'boolean' }, engine: { type: 'string' }, launcher: { type: 'string', default: 'accelerate' }, 'accelerate-config': { type: 'string', default: 'single_gpu' }, python: { type: 'string' }, out: { type: 'string' }, resume: { type: 'string' } },
    });
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  const v = parsed.values;
  const [configArg, ...extra] = parsed.positionals;
  if (v.engine !== 'trl' || !configArg || extra.length) throw new UsageError(USAGE);
  if (v.launcher !== 'accelerate' && v.launcher !== 'torchrun') throw new UsageError(`--launcher must be accelerate or torchrun\n${USAGE}`);
  if (!ACCELERATE_CONFIGS.includes(v['accelerate-config'])) throw new UsageError(`--accelerate-config must be one of ${ACCELERATE_CONFIGS.join(', ')}\n${USAGE}`);
  if (v.out !== undefined && v.resume !== undefined) throw new UsageError(`--out and --resume exclude each other: --resume continues RUN_DIR in place\n${USAGE}`);
  const python = v.python ?? process.env.ORPO_LAB_PYTHON ?? 'python3';
  const emit = (e: EngineEvent): void => { process.stdout.write(formatEvent(e) + '\n'); };
  const pre = loadConfig(configArg);
  if (typeof pre === 'number') return pre;
  const { cfg, configPath } = pre;
  const fail = (message: string, code: number): number => {
    process.stderr.write(`orpo-lab train --engine trl: ${message}\n`);
    emit({ type: 'error', message });
    return code;
  };
  const missing = checkPython(python, cfg.adapter !== undefined);
  if (missing) return fail(missing, EXIT_FAILURE);
  let from: Checkpoint | undefined;
  if (v.resume !== undefined) {
    const found = resumeFrom(resolve(v.resume));
    if (typeof found === 'string') return fail(found, EXIT_INVALID);
    from = found;
  }
  let lock: RunLock;
  try {
    const log = (line: string) => process.stderr.write(line + '\n');
    if (v.resume !== undefined) lock = acquireRunLock(resolve(v.resume), log);
    else if (v.out !== undefined) lock = claimOutDir(resolve(v.out), log);
    else lock = acquireRunLock(createRunDir(resolve(dirname(configPath), cfg.output_dir), cfg.name), log);
  } catch (e) {
    if (e instanceof RunDirError) return fail(e.message, EXIT_FAILURE);
    throw e;
  }
  try {
    const exportDir = join(lock.dir, 'trl-export');
    try {
      // A resumed run keeps its export (the same data and start); one copied here without it is exported again.
      if (!existsSync(join(exportDir, 'train.py'))) await writeExport(cfg, configPath, pre.text, exportDir);
    } catch (e) {
      if (e instanceof ExportError || e instanceof DataError) {
        process.stderr.write(`${configArg}: error: ${e.message}\n`);
        return EXIT_INVALID;
      }
      throw e;
    }
    return await launch({ python, launcher: v.launcher, accelerateConfig: v['accelerate-config'], runDir: lock.dir, exportDir, from, configPath, name: cfg.name, method: cfg.method, totalSteps: cfg.train.max_steps ?? 0 }, emit);
  } finally {
    lock.release();
  }
}

type Checkpoint = { step: number; path: string };

interface Launch {
  python: string;
  launcher: 'accelerate' | 'torchrun';
  accelerateConfig: string;
  runDir: string;
  exportDir: string;
  from: Checkpoint | undefined;
  configPath: string;
  name: string;
  method: string;
  totalSteps: number;
}

/** Runs train.py in RUN_DIR (resuming when `from` is set) and streams the run directory as events. */
async function launch(o: Launch, emit: (e: EngineEvent) => void): Promise<number> {
  if (!existsSync(join(o.runDir, ENGINE_FILE))) writeFileSync(join(o.runDir, ENGINE_FILE), JSON.stringify({ engine: 'trl', export_dir: o.exportDir }) + '\n');
  if (o.from) {
    const files = runFiles(o.runDir);
    for (const f of [files.metrics, files.distributions]) {
      const r = f.truncateAfter(o.from.step);
      if (r.dropped) process.stderr.write(`${f.path}: ${r.dropped} line(s) after step ${o.from.step} kept in ${String(r.backup)}\n`);
    }
  }
  const args = launchArgs(o);
  const t0 = Date.now();
  const child = spawn(o.python, args, { cwd: o.exportDir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => process.stderr.write(d));
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  emit({ type: 'started', run_dir: o.runDir, config: o.configPath, name: o.name, method: o.method, backend: 'trl', device: `${o.launcher} (${o.accelerateConfig})`, total_steps: o.totalSteps, start_step: o.from?.step ?? 0, pid: process.pid, time: new Date().toISOString() });
  let stopped = false;
  const stop = () => {
    stopped = true;
    child.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  createInterface({ input: process.stdin }).on('line', (line) => { if (parseControl(line).ok) stop(); });
  const tail = new RunDirTail(o.runDir);
  if (o.from) tail.skipExisting();
  const timer = setInterval(() => tail.poll().forEach(emit), 500);
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  clearInterval(timer);
  tail.poll().forEach(emit);
  process.stdin.pause();
  if (code === 0 || stopped) {
    emit({ type: 'finished', reason: stopped ? 'stopped' : 'completed', step: tail.last.step, run_dir: o.runDir, wall_s: (Date.now() - t0) / 1000, summary: tail.summary() });
    return EXIT_OK;
  }
  const message = `the TRL run exited with code ${String(code)}; its output is above (stderr)`;
  emit({ type: 'error', message, step: tail.last.step });
  process.stderr.write(`orpo-lab train --engine trl: ${message}\n`);
  return EXIT_FAILURE;
}

/** The launcher's command line: accelerate (with the named config) or torchrun, then train.py [--resume]. */
export function launchArgs(o: Pick<Launch, 'launcher' | 'accelerateConfig' | 'runDir' | 'exportDir' | 'from'>): string[] {
  const script = [join(o.exportDir, 'train.py'), '--run-dir', o.runDir, ...(o.from ? ['--resume'] : [])];
  return o.launcher === 'accelerate'
    ? ['-m', 'accelerate.commands.launch', '--config_file', join(o.exportDir, 'accelerate', `${o.accelerateConfig}.yaml`), ...script]
    : ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', 'gpu', ...script];
}

/** The checkpoint a TRL run directory resumes from, or why it cannot be resumed on TRL. */
export function resumeFrom(runDir: string): Checkpoint | string {
  if (!existsSync(runDir)) return `--resume ${runDir}: no such run directory`;
  const info = parseEngineInfo(existsSync(join(runDir, ENGINE_FILE)) ? readFileSync(join(runDir, ENGINE_FILE), 'utf8') : undefined, join(runDir, ENGINE_FILE));
  if (!info.ok) return info.error;
  if (info.value.engine !== 'trl') return `${runDir} is a run of ORPO Lab's engine (no engine.json saying "trl"); resume it without --engine trl`;
  return lastTrainerCheckpoint(runDir) ?? `${runDir} has no checkpoints/checkpoint-N with ${'trainer_state.json'} to resume from (the Trainer saves one every save_steps)`;
}
