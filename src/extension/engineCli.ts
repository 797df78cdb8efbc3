// The engine CLI as the run manager sees it (issue 2): the arguments of `orpo-lab train` and the
// framing of its stdout into lines (one JSON event per line, possibly split across reads).
import type { RunEngine } from '../common/runEngine';

export interface StartOptions {
  configPath: string;
  /** Resume this run directory from its last checkpoint. */
  resumeDir?: string;
  outDir?: string;
  maxSteps?: number;
  backend?: string;
  /** Run on Hugging Face TRL with this Python (`--engine trl --python PATH`); no --backend then. */
  trlPython?: string;
}

/** The CLI arguments of `orpo-lab train` for one start (issue 2's CLI), asking for JSON events. */
export function trainArgs(o: StartOptions): string[] {
  const args = ['train', o.configPath, '--json'];
  if (o.outDir) args.push('--out', o.outDir);
  if (o.maxSteps !== undefined) args.push('--max-steps', String(o.maxSteps));
  if (o.trlPython) args.push('--engine', 'trl', '--python', o.trlPython);
  else if (o.backend) args.push('--backend', o.backend);
  if (o.resumeDir) args.push('--resume', o.resumeDir);
  return args;
}

/**
 * The start of Resume Run: the engine the run was started with (its engine.json), TRL with the
 * configured Python (orpoLab.pythonPath, else python3), ORPO Lab's engine with the configured backend.
 */
export function resumeOptions(runDir: string, configPath: string, engine: RunEngine, s: { backend: string; pythonPath: string }): StartOptions {
  if (engine === 'trl') return { configPath, resumeDir: runDir, trlPython: s.pythonPath || 'python3' };
  return { configPath, resumeDir: runDir, ...(s.backend ? { backend: s.backend } : {}) };
}

/** Splits a byte stream into lines, across chunk boundaries; `flush` returns a last unterminated line. */
export class LineSplitter {
  private buf = '';
  push(chunk: string): string[] {
    this.buf += chunk;
    const parts = this.buf.split('\n');
    this.buf = parts.pop() ?? '';
    return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }
  flush(): string | undefined {
    const rest = this.buf;
    this.buf = '';
    return rest.length > 0 ? rest : undefined;
  }
}
