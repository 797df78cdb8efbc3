// The models users bring (issue 13, "Measured"): GPT-2-small and SmolLM2-360M with random weights,
// written once as transformers directories (`orpo-lab bench --model DIR --init NAME`, cached under
// --model-dir) and loaded by our HF loader, timed against PyTorch 1.13 reading the same directories
// (scripts/reference/torch_step.py --model DIR: its own plain-torch models and LoRA), at the same thread
// count, one run after the other. Runs: full (full fine-tuning), full-ckpt, lora (r 16, alpha = r as our bench, all-linear),
// lora-ckpt. Our LoRA rows need an engine with `bench --lora-r`: without it they say so, with no figure.
// Measures, never asserts. Used by `npm run bench -- --models ...`, or alone:
//   node scripts/bench-models.mjs --models all [--model-runs full,lora,lora-ckpt] [--model-seq 512]
//     [--model-pairs 2] [--model-steps 2] [--threads 2] [--model-dir .bench/models] [--sides ours,pytorch]
// Results: a Markdown table on stdout and .bench/models.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/engine/cli.js');
const MODELS = ['gpt2-small', 'smollm2-360m'];
const RUNS = { full: {}, 'full-ckpt': { ckpt: true }, lora: { lora: true }, 'lora-ckpt': { lora: true, ckpt: true } };

/** Runs a command, streaming its stderr; resolves to its last stdout line as JSON, or { error } with its last stderr line. */
function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (b) => { out += b; });
    p.stderr.on('data', (b) => { err += b; process.stderr.write(b); });
    p.on('close', (code, signal) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        const why = err.trim().split('\n').at(-1) ?? '';
        resolve({ error: `exited ${code ?? signal}: ${why.slice(0, 300)}` });
      }
    });
  });
}

const mib = (b) => (b ? `${(b / 2 ** 30).toFixed(2)} GiB` : '—');
const load = () => loadavg()[0].toFixed(1);

/** argv: the bench options; threads: BLAS threads on both sides. Returns { results, table }. */
export async function benchModels(argv, threads) {
  const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
  const names = opt('models', 'all') === 'all' ? MODELS : opt('models').split(',');
  for (const n of names) if (!MODELS.includes(n)) throw new Error(`--models: "${n}" is not one of ${MODELS.join(', ')}, all`);
  const runs = opt('model-runs', 'full,lora,lora-ckpt').split(',');
  for (const r of runs) if (!(r in RUNS)) throw new Error(`--model-runs: "${r}" is not one of ${Object.keys(RUNS).join(', ')}`);
  const sides = opt('sides', 'ours,pytorch').split(',');
  const shape = ['--seq', opt('model-seq', '512'), '--pairs', opt('model-pairs', '2'), '--steps', opt('model-steps', '2')];
  const lora = ['--lora-r', opt('lora-r', '16'), '--lora-targets', opt('lora-targets', 'all-linear')];
  const dir = opt('model-dir', join(root, '.bench/models'));
  const backend = opt('model-backend', 'native');
  const help = spawnSync(process.execPath, [cli, 'bench', '--help'], { encoding: 'utf8' }).stdout ?? '';
  const oursLora = help.includes('--lora-r');
  const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  const results = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memory_bytes: totalmem(), node: process.version },
    threads, shape: Object.fromEntries([[0, 1], [2, 3], [4, 5]].map(([k, v]) => [shape[k].slice(2), Number(shape[v])])), lora: { r: Number(lora[1]), targets: lora[3] },
    date: new Date().toISOString(), rows: [],
  };
  for (const name of names) {
    const mdir = join(dir, name);
    for (const r of runs) {
      const { ckpt, lora: isLora } = RUNS[r];
      const row = { model: name, run: r };
      if (sides.includes('ours')) {
        console.error(`# ${name} ${r}: ours (load ${load()})`);
        // The first of our runs writes the directory (--init); PyTorch reads what it wrote.
        const args = [cli, 'bench', '--backend', backend, '--model', mdir, '--init', name, ...shape, '--json', ...(ckpt ? ['--checkpointing'] : [])];
        if (isLora && !oursLora) {
          spawnSync(process.execPath, [cli, 'bench', '--model', mdir, '--init', name, '--init-only'], { stdio: 'inherit' }); // writes DIR only
          row.ours = { skipped: 'LoRA not available in this build (no `orpo-lab bench --lora-r`)' };
        } else row.ours = { ...(await run(process.execPath, isLora ? [...args, ...lora] : args, { ORPO_LAB_THREADS: String(threads) })), load_after: load() };
      }
      if (sides.includes('pytorch')) {
        console.error(`# ${name} ${r}: PyTorch (load ${load()})`);
        row.pytorch = python
          ? { ...(await run(python, [join(root, 'scripts/reference/torch_step.py'), '--model', mdir, ...shape, '--threads', String(threads), ...(isLora ? [...lora, '--lora-alpha', lora[1]] : []), ...(ckpt ? ['--checkpointing'] : [])])), load_after: load() }
          : { skipped: 'torch is not installed: apt-get install python3-torch libopenblas0-pthread' };
      }
      results.rows.push(row);
    }
  }
  mkdirSync(join(root, '.bench'), { recursive: true });
  writeFileSync(join(root, '.bench/models.json'), JSON.stringify(results, null, 1));
  return { results, table: table(results) };
}

function table(results) {
  // A skipped or failed side says why once, in its first cell.
  const cell = (x, f, first = false) => (!x ? '—' : x.skipped || x.error ? (first ? x.skipped ?? x.error : '—') : f(x));
  const lines = [
    `Models from transformers directories, seq ${results.shape.seq} × ${results.shape.pairs} pairs, ${results.threads} BLAS thread(s), LoRA r ${results.lora.r} ${results.lora.targets}`,
    '',
    '| model | run | ours: step, tokens/s | ours: native peak / max RSS | estimate (÷ native peak) | PyTorch: step, tokens/s | PyTorch max RSS | tokens/s ours ÷ PyTorch |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { model, run, ours, pytorch } of results.rows) {
    const ratio = ours?.tokens_per_second && pytorch?.tokens_per_second ? `${(ours.tokens_per_second / pytorch.tokens_per_second).toFixed(2)}×` : '—';
    lines.push(`| ${model} | ${run} | ${cell(ours, (o) => `${o.step_ms} ms, ${o.tokens_per_second}`, true)} | ${cell(ours, (o) => `${mib(o.peak_native_bytes)} / ${mib(o.max_rss_bytes)}`)} | ${cell(ours, (o) => `${mib(o.estimate_bytes)} (${o.peak_native_bytes ? (o.estimate_bytes / o.peak_native_bytes).toFixed(2) : '—'})`)} | ${cell(pytorch, (p) => `${p.step_ms} ms, ${p.tokens_per_second}`, true)} | ${cell(pytorch, (p) => mib(p.max_rss_bytes))} | ${ratio} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--threads');
  try {
    console.log((await benchModels(argv, Number(i >= 0 ? argv[i + 1] : '1'))).table);
  } catch (e) {
    console.error(`bench-models: ${e.message}`);
    process.exitCode = 2;
  }
}
