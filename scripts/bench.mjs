// `npm run bench`: measures, never asserts. Runs side by side, in one run:
//  1. an ORPO training step (`orpo-lab bench --json`) on each available backend, and the PyTorch
//     reference of the same shape with the same thread count (scripts/reference/torch_step.py), with
//     the ratio of tokens/s; the reference is skipped, and says so, when torch is not installed;
//  2. ORPO's peak memory against DPO's (the frozen reference model) on the same model;
//  3. language-server validation time for a 300-line config;
//  4. dashboard frame time at 100,000 logged steps;
//  5. with --models: the models users bring (scripts/bench-models.mjs): GPT-2-small and SmolLM2-360M with
//     random weights, loaded from transformers directories, ours against PyTorch 1.13 (full fine-tuning,
//     LoRA, LoRA plus checkpointing), with the memory plan's estimates.
// Options: --quick (a smaller shape, for a fast look), --backends wasm,cpu, --threads N, and
// --models gpt2-small,smollm2-360m (or all) with the options of scripts/bench-models.mjs.
// Results go to stdout as a Markdown table and to .bench/results.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const quick = argv.includes('--quick');
const threads = Number(opt('threads', '1'));
const shape = quick
  ? { 'd-model': 128, layers: 2, heads: 4, vocab: 2000, seq: 64, pairs: 4, steps: 3 }
  : { 'd-model': 256, layers: 4, heads: 4, vocab: 8000, seq: 128, pairs: 4, steps: 5 };
const shapeArgs = Object.entries(shape).flatMap(([k, v]) => [`--${k}`, String(v)]);
const cli = join(root, 'dist/engine/cli.js');

/** Runs a command and returns its last stdout line parsed as JSON, or an error string. */
function lastJson(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60 * 1000 });
  const line = (r.stdout ?? '').trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return { error: `${cmd} ${args.join(' ')} exited ${r.status}: ${line.slice(0, 200)}` };
  }
}

const results = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, threads, shape, date: new Date().toISOString(), step: [], memory: {}, lsp: undefined, dashboard: undefined };
const backends = (opt('backends', 'wasm')).split(',');
console.error(`# ORPO step, shape ${JSON.stringify(shape)}, ${threads} thread(s)`);
for (const b of backends) results.step.push(lastJson(process.execPath, [cli, 'bench', '--backend', b, '--json', ...shapeArgs], { ORPO_LAB_THREADS: String(threads) }));

// The PyTorch reference, with the same thread count (Debian's python3-torch + OpenBLAS).
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (python) {
  const torchStep = (intra, blas) => lastJson(python, [join(root, 'scripts/reference/torch_step.py'), ...shapeArgs, '--threads', String(intra), '--blas-threads', String(blas)]);
  results.step.push(torchStep(threads, threads));
  // With more than one thread, torch's OpenMP threads and OpenBLAS's own threads contend on the same
  // cores: also time torch with one intra-op thread and the BLAS threads alone, and compare with the faster.
  if (threads > 1) results.step.push({ ...torchStep(1, threads), note: `torch intra-op 1 thread, OpenBLAS ${threads}` });
} else {
  results.step.push({ backend: 'pytorch-cpu', skipped: 'torch is not installed: apt-get install python3-torch libopenblas0-pthread' });
}
const refs = results.step.filter((r) => r.backend === 'pytorch-cpu' && r.tokens_per_second);
const ref = refs.sort((a, b) => b.tokens_per_second - a.tokens_per_second)[0];
for (const r of results.step) if (ref && r.tokens_per_second && r.backend !== 'pytorch-cpu') r.ratio_vs_pytorch = Math.round((r.tokens_per_second / ref.tokens_per_second) * 1000) / 1000;

console.error('# ORPO vs DPO peak memory (wasm heap; DPO keeps a frozen reference model)');
for (const m of ['orpo', 'dpo']) results.memory[m] = lastJson(process.execPath, [cli, 'bench', '--backend', 'wasm', '--json', '--method', m, ...shapeArgs, '--steps', '2'], { ORPO_LAB_THREADS: String(threads) });

console.error('# language server: 300-line config');
results.lsp = lastJson(process.execPath, [join(root, 'scripts/bench-lsp.mjs'), '--json']);
console.error('# dashboard: frame time at 100,000 steps');
results.dashboard = lastJson(process.execPath, [join(root, 'scripts/bench-dashboard.mjs'), '--json']);

// The models users bring, last (the long part): ours and PyTorch's rows in the same run.
let modelRows;
if (opt('models')) {
  console.error('# the models users bring (scripts/bench-models.mjs)');
  const { benchModels } = await import('./bench-models.mjs');
  try {
    modelRows = await benchModels(argv, threads);
    results.models = modelRows.results;
  } catch (e) {
    results.models = { error: e.message };
    console.error(`bench: --models: ${e.message}`);
  }
}

mkdirSync(join(root, '.bench'), { recursive: true });
writeFileSync(join(root, '.bench/results.json'), JSON.stringify(results, null, 1));
const mib = (b) => (b ? `${(b / 2 ** 20).toFixed(1)} MiB` : '—');
console.log(`\n| measure | value |\n| --- | --- |`);
for (const r of results.step) {
  if (r.skipped || r.error) console.log(`| step ${r.backend ?? ''} | ${r.skipped ?? r.error} |`);
  else console.log(`| step ${r.backend} (${r.threads} thread${r.note ? `; ${r.note}` : ''}) | ${r.step_ms} ms, ${r.tokens_per_second} tokens/s${r.ratio_vs_pytorch ? `, ${r.ratio_vs_pytorch}× PyTorch` : ''}${r.peak_backend_bytes ? `, peak ${mib(r.peak_backend_bytes)}` : ''} |`);
}
for (const [m, r] of Object.entries(results.memory)) console.log(`| peak memory ${m}: live tensors / wasm heap / RSS | ${r.error ?? `${mib(r.peak_live_tensor_bytes)} / ${mib(r.peak_backend_bytes)} / ${mib(r.peak_rss_bytes)}`} |`);
console.log(`| LSP validation, 300-line config (median) | ${results.lsp?.median_ms ?? results.lsp?.medianMs ?? JSON.stringify(results.lsp)} ms |`);
console.log(`| dashboard frame at 100,000 steps (median) | ${results.dashboard?.median_ms ?? results.dashboard?.medianMs ?? JSON.stringify(results.dashboard)} ms |`);
if (modelRows) console.log(`\n${modelRows.table}`);
