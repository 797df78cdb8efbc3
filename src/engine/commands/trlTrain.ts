// `orpo-lab train CONFIG --engine trl [--launcher accelerate|torchrun] [--accelerate-config NAME]
// [--python PATH] [--out RUN_DIR]` (issue 14): the experiment on Hugging Face TRL with the user's
// Python (the extension passes its `orpoLab.pythonPath` setting as --python; ORPO_LAB_PYTHON otherwise).
// The export (export.ts) goes into RUN_DIR/trl-export, the launcher runs its train.py, and the run
// directory its callback writes is followed (runTail.ts) to stream the same JSON events as a local run.
// A missing Python, torch, transformers, trl, accelerate or datasets is a clear error with the command
// that installs it. stdout carries only events; the launcher's output goes to stderr.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { formatEvent, parseControl, type EngineEvent } from '../../common/events';
import { UsageError } from '../args';
import { DataError } from '../data/errors';
import { RunDirTail } from '../export/runTail';
import { ExportError, TRANSFORMERS_VERSION, TRL_VERSION } from '../export/trlMapping';
import { createRunDir } from '../train/runLock';
import { loadConfig, writeExport } from './export';
import { EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from './train';

const USAGE = 'usage: orpo-lab train CONFIG --engine trl [--launcher accelerate|torchrun] [--accelerate-config single_gpu|multi_gpu|fsdp|deepspeed_zero3] [--python PATH] [--out RUN_DIR]';
export const PYTHON_MODULES = ['torch', 'transformers', 'trl', 'accelerate', 'datasets'] as const;
const ACCELERATE_CONFIGS = ['single_gpu', 'multi_gpu', 'fsdp', 'deepspeed_zero3'];

/** True when argv asks for the TRL engine (cli.ts routes `train` here then). */
export const wantsTrl = (argv: readonly string[]): boolean => argv.some((a, i) => a === '--engine=trl' || (a === '--engine' && argv[i + 1] === 'trl'));

/** The install command for what a Python lacks, pinned as the export's requirements.txt. */
export const installCommand = (python: string): string => `${python} -m pip install trl==${TRL_VERSION} transformers==${TRANSFORMERS_VERSION} "accelerate>=1.7.0" "datasets>=4.7.0" torch`;

/** Checks that `python` runs and has what the export needs; undefined when it does, else the reason. */
export function checkPython(python: string): string | undefined {
  const probe = `import importlib.util, json, sys; print(json.dumps({"version": sys.version.split()[0], "missing": [m for m in ${JSON.stringify([...PYTHON_MODULES])} if importlib.util.find_spec(m) is None]}))`;
  const r = spawnSync(python, ['-c', probe], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `Python not found: "${python}". Install Python 3.10 or newer, then set the orpoLab.pythonPath setting (or --python) to it, and run: ${installCommand(python)}`
      : `cannot run "${python}": ${r.error.message}`;
  }
  let info: { version: string; missing: string[] };
  try {
    info = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { version: string; missing: string[] };
  } catch {
    return `"${python}" did not run as Python 3 (exit ${String(r.status)}): ${(r.stderr || r.stdout).trim().slice(0, 300)}`;
  }
  if (info.missing.length) return `${python} (Python ${info.version}) lacks ${info.missing.join(', ')}, needed by --engine trl. Install with: ${installCommand(python)}`;
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { json: { type: 'boolean' }, engine: { type: 'string' }, launcher: { type: 'string', default: 'accelerate' }, 'accelerate-config': { type: 'string', default: 'single_gpu' }, python: { type: 'string' }, out: { type: 'string' } },
    });
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  const v = parsed.values;
  const [configArg, ...extra] = parsed.positionals;
  if (v.engine !== 'trl' || !configArg || extra.length) throw new UsageError(USAGE);
  if (v.launcher !== 'accelerate' && v.launcher !== 'torchrun') throw new UsageError(`--launcher must be accelerate or torchrun\n${USAGE}`);
  if (!ACCELERATE_CONFIGS.includes(v['accelerate-config'])) throw new UsageError(`--accelerate-config must be one of ${ACCELERATE_CONFIGS.join(', ')}\n${USAGE}`);
  const python = v.python ?? process.env.ORPO_LAB_PYTHON ?? 'python3';
  const emit = (e: EngineEvent): void => { process.stdout.write(formatEvent(e) + '\n'); };
  const pre = loadConfig(configArg);
  if (typeof pre === 'number') return pre;
  const { cfg, configPath } = pre;
  const missing = checkPython(python);
  if (missing) {
    process.stderr.write(`orpo-lab train --engine trl: ${missing}\n`);
    emit({ type: 'error', message: missing });
    return EXIT_FAILURE;
  }
  const runDir = resolve(v.out ?? createRunDir(resolve(dirname(configPath), cfg.output_dir), cfg.name));
  const exportDir = join(runDir, 'trl-export');
  try {
    await writeExport(cfg, configPath, pre.text, exportDir);
  } catch (e) {
    if (e instanceof ExportError || e instanceof DataError) {
      process.stderr.write(`${configArg}: error: ${e.message}\n`);
      return EXIT_INVALID;
    }
    throw e;
  }
  const script = [join(exportDir, 'train.py'), '--run-dir', runDir];
  const args = v.launcher === 'accelerate'
    ? ['-m', 'accelerate.commands.launch', '--config_file', join(exportDir, 'accelerate', `${v['accelerate-config']}.yaml`), ...script]
    : ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', 'gpu', ...script];
  const t0 = Date.now();
  const child = spawn(python, args, { cwd: exportDir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => process.stderr.write(d));
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  emit({ type: 'started', run_dir: runDir, config: configPath, name: cfg.name, method: cfg.method, backend: 'trl', device: `${v.launcher} (${v['accelerate-config']})`, total_steps: cfg.train.max_steps ?? 0, start_step: 0, pid: process.pid, time: new Date().toISOString() });
  let stopped = false;
  const stop = () => {
    stopped = true;
    child.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  createInterface({ input: process.stdin }).on('line', (line) => { if (parseControl(line).ok) stop(); });
  const tail = new RunDirTail(runDir);
  const timer = setInterval(() => tail.poll().forEach(emit), 500);
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  clearInterval(timer);
  tail.poll().forEach(emit);
  process.stdin.pause();
  if (code === 0 || stopped) {
    emit({ type: 'finished', reason: stopped ? 'stopped' : 'completed', step: tail.last.step, run_dir: runDir, wall_s: (Date.now() - t0) / 1000, summary: tail.summary() });
    return EXIT_OK;
  }
  const message = `the TRL run exited with code ${String(code)}; its output is above (stderr)`;
  emit({ type: 'error', message, step: tail.last.step });
  process.stderr.write(`orpo-lab train --engine trl: ${message}\n`);
  return EXIT_FAILURE;
}
