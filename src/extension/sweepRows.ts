// Sweeps in the Runs view (issue 15): a sweep directory (`<output_dir>/<name>-<timestamp>/sweep.json`)
// becomes one collapsible row with its overall progress, holding its variants' run rows. The variants
// stay ordinary run rows (runRows.ts): every run command works on them as on any run. No `vscode`, so
// Node tests cover it.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { parseSweepIndex, statusCounts, SWEEP_INDEX, type VariantStatus } from '../common/sweepIndex';
import { baseName, type RunNode } from './runRows';

export interface SweepSummary {
  dir: string;
  name: string;
  counts: Record<VariantStatus, number>;
  /** Sum of the variants' steps and of their total steps, as sweep.json last recorded them. */
  step: number;
  total: number;
  /** The variants' run directories (absolute). */
  runDirs: string[];
}

/** One row of the tree: a run, or a sweep with its variants' rows. */
export interface SweepGroup {
  kind: 'sweep';
  key: string;
  name: string;
  /** The sweep directory, also as `uri` so commands that take a Uri or path accept the row. */
  dir: string;
  uri: string;
  sweep: SweepSummary;
  children: RunNode[];
}

export type TreeRow = RunNode | SweepGroup;

export const isSweepGroup = (r: TreeRow): r is SweepGroup => 'kind' in r && r.kind === 'sweep';

/** Reads a sweep directory's index; undefined when it has none or it is unreadable. */
export async function readSweep(dir: string): Promise<SweepSummary | undefined> {
  const text = await readFile(join(dir, SWEEP_INDEX), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = parseSweepIndex(text);
  if (!parsed.ok) return undefined;
  const index = parsed.value;
  return {
    dir,
    name: baseName(dir),
    counts: statusCounts(index),
    step: index.variants.reduce((a, v) => a + (v.step ?? 0), 0),
    total: index.variants.reduce((a, v) => a + (v.total_steps ?? 0), 0),
    runDirs: index.variants.map((v) => join(dir, v.run_dir)),
  };
}

/** The sweeps directly under each runs directory. */
export async function discoverSweeps(runsDirs: readonly string[]): Promise<SweepSummary[]> {
  const dirs = new Set<string>();
  for (const root of runsDirs) {
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) dirs.add(join(root, e.name));
  }
  const found = await Promise.all([...dirs].map(readSweep));
  return found.filter((s): s is SweepSummary => s !== undefined);
}

const inside = (dir: string, parent: string) => resolve(dir).startsWith(resolve(parent) + sep);

/**
 * The tree's top level: each sweep's variant rows move under one sweep row, placed where its first
 * (newest or live) variant stood; every other row stays where runRows put it.
 */
export function groupSweeps(rows: readonly RunNode[], sweeps: readonly SweepSummary[]): TreeRow[] {
  const groups = new Map<string, SweepGroup>();
  const out: TreeRow[] = [];
  for (const r of rows) {
    const s = r.dir === undefined ? undefined : sweeps.find((x) => inside(r.dir as string, x.dir));
    if (!s) {
      out.push(r);
      continue;
    }
    let g = groups.get(s.dir);
    if (!g) {
      g = { kind: 'sweep', key: `sweep:${resolve(s.dir)}`, name: s.name, dir: s.dir, uri: s.dir, sweep: s, children: [] };
      groups.set(s.dir, g);
      out.push(g);
    }
    g.children.push(r);
  }
  return out;
}

/** "3/8 variants completed · 1 running · step 120/400": a sweep row's description. */
export function sweepProgress(s: SweepSummary): string {
  const n = Object.values(s.counts).reduce((a, b) => a + b, 0);
  const parts = [`${s.counts.completed}/${n} completed`];
  for (const k of ['running', 'stopped', 'crashed'] as const) if (s.counts[k] > 0) parts.push(`${s.counts[k]} ${k}`);
  if (s.total > 0) parts.push(`step ${s.step}/${s.total}`);
  return parts.join(' · ');
}
