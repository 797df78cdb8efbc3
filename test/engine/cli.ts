// Test support: runs the engine CLI from source (tsx) as a child process, as the extension does.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseEvent, type EngineEvent } from '../../src/common/events';

export const root = join(__dirname, '..', '..');

export function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(root, 'src/engine/cli.ts'), ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

export interface CliResult {
  code: number | null;
  events: EngineEvent[];
  /** stdout lines that were not valid events (there must be none). */
  bad: string[];
  stderr: string;
}

/**
 * Runs the CLI to completion; `onEvent` may act on the child (e.g. send a stop). `train` is asked for
 * JSON events explicitly (--json), as the extension does.
 */
export function runCli(args: string[], onEvent?: (e: EngineEvent, child: ChildProcess) => void, env: Record<string, string> = {}): Promise<CliResult> {
  const child = startCli(args[0] === 'train' && !args.includes('--json') ? [...args, '--json'] : args, env);
  const events: EngineEvent[] = [];
  const bad: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const p = parseEvent(line);
    if (!p.ok) { bad.push(line); return; }
    events.push(p.value);
    onEvent?.(p.value, child);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, events, bad, stderr })));
}

/**
 * A tiny orpo config in DIR that trains and evaluates (context 128, 16 pairs of the shipped HH-RLHF
 * slice): `train` is the rest of the train mapping, `extra` more top-level lines (e.g. a sweep).
 */
export function orpoConfig(dir: string, o: { train: string; backend: string; extra?: string }): string {
  const p = join(dir, 'tiny.orpo.yaml');
  writeFileSync(p, `name: tiny
seed: 5
method: orpo
model: { layers: 1, d_model: 16, heads: 2, context: 128 }
data: { train: ${join(root, 'examples/data/hh-rlhf-tiny.jsonl.gz')}, eval: 0.25, max_length: 128, max_prompt_length: 64, limit: 16 }
train: { batch_size: 2, ${o.train} }
backend: ${o.backend}
output_dir: runs
${o.extra ?? ''}`);
  return p;
}

/** A tiny scratch-model config in DIR (cpu backend, 8 pairs of the shipped HH-RLHF slice); `train` adds train keys. */
export function tinyConfig(dir: string, train: string): string {
  const p = join(dir, 'tiny.orpo.yaml');
  writeFileSync(p, `name: tiny
seed: 5
model: { layers: 1, d_model: 16, heads: 2, context: 64 }
data: { train: ${join(root, 'examples/data/hh-rlhf-tiny.jsonl.gz')}, eval: 0.25, max_length: 64, max_prompt_length: 32, limit: 8 }
train: { batch_size: 2, ${train}, eval_every: 1000, eval_samples: 0 }
backend: cpu
output_dir: runs
`);
  return p;
}

/** DIR/bad.jsonl: 60 good pairs, then at line 61 a pair whose chosen and rejected are identical. Returns its path. */
export function badDataFile(dir: string): string {
  const bad = join(dir, 'bad.jsonl');
  const rows = Array.from({ length: 60 }, (_, i) => JSON.stringify({ prompt: `Q${i}?`, chosen: `A${i}`, rejected: `B${i}` }));
  rows.push(JSON.stringify({ prompt: 'Q?', chosen: 'same', rejected: 'same' }));
  writeFileSync(bad, rows.join('\n') + '\n');
  return bad;
}
