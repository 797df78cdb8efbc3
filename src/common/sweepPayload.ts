// The sweep view's payload (issue 15): one sweep directory's index, its variants' eval rows and
// distributions, as the engine's report and the extension send it to the sweep page, with its
// validation, and how a sweep directory's files become one (the caller reads the files).
import { DISTRIBUTION_KEYS, EVAL_PREFIX, type DistributionsRow, type MetricsRow } from './metrics';
import { parseDistributionsLine, parseFileText, parseMetricsLine, type LineParser } from './runFiles';
import { parseSweepIndex, SWEEP_INDEX } from './sweepIndex';
import { isObj } from './json';

export interface SweepVariantData {
  name: string;
  values: Record<string, unknown>;
  status: string;
  /** Eval rows of metrics.jsonl (keys `eval/…`). */
  evals: MetricsRow[];
  distributions: DistributionsRow[];
}

export interface SweepPayload {
  type: 'sweep';
  name: string;
  dir: string;
  axes: { path: string; values: unknown[] }[];
  variants: SweepVariantData[];
  problems: string[];
}

const numRow = (v: unknown) => isObj(v) && typeof v.step === 'number' && Object.values(v).every((x) => typeof x === 'number' || x === null);
const distRow = (v: unknown) => isObj(v) && typeof v.step === 'number' && DISTRIBUTION_KEYS.every((k) => Array.isArray(v[k]) && (v[k] as unknown[]).every((x) => typeof x === 'number' || x === null));
const variantOk = (v: unknown) => isObj(v) && typeof v.name === 'string' && isObj(v.values) && typeof v.status === 'string' &&
  Array.isArray(v.evals) && v.evals.every(numRow) && Array.isArray(v.distributions) && v.distributions.every(distRow);

/** Validates a sweep payload received by the page. */
export function parseSweepPayload(v: unknown): { ok: true; value: SweepPayload } | { ok: false; error: string } {
  if (!isObj(v) || v.type !== 'sweep') return { ok: false, error: 'expected a message of type "sweep"' };
  if (typeof v.name !== 'string' || typeof v.dir !== 'string' || !Array.isArray(v.problems)) return { ok: false, error: 'sweep: needs name, dir and problems' };
  if (!Array.isArray(v.axes) || !v.axes.every((a) => isObj(a) && typeof a.path === 'string' && Array.isArray(a.values))) return { ok: false, error: 'sweep: axes must be {path, values}[]' };
  if (!Array.isArray(v.variants) || !v.variants.every(variantOk)) return { ok: false, error: 'sweep: variants must be {name, values, status, evals[], distributions[]}[]' };
  return { ok: true, value: v as unknown as SweepPayload };
}

/**
 * A sweep directory as the sweep view's payload. `read(path)` returns a file's text, or undefined when
 * it is missing; unreadable variant files become problems. Throws when sweep.json is invalid.
 */
export function sweepPayloadOf(dir: string, read: (path: string) => string | undefined): SweepPayload {
  const join = (...p: string[]) => p.join('/').replace(/\/+/g, '/');
  const indexFile = join(dir, SWEEP_INDEX);
  const parsed = parseSweepIndex(read(indexFile) ?? '');
  if (!parsed.ok) throw new Error(`${indexFile}: ${parsed.error}`);
  const index = parsed.value;
  const problems: string[] = [];
  const rows = <T>(file: string, parse: LineParser<T>): T[] => {
    const text = read(file);
    if (text === undefined) return [];
    const r = parseFileText(text, file, parse);
    problems.push(...r.problems);
    return r.rows;
  };
  const variants = index.variants.map((v) => {
    const runDir = join(dir, v.run_dir);
    const evals = rows(join(runDir, 'metrics.jsonl'), parseMetricsLine).filter((r) => Object.keys(r).some((k) => k.startsWith(EVAL_PREFIX)));
    const distributions = rows(join(runDir, 'distributions.jsonl'), parseDistributionsLine);
    if (v.status !== 'completed') problems.push(`${v.name}: ${v.status}${v.error ? ` (${v.error})` : ''}`);
    return { name: v.name, values: v.values, status: v.status, evals, distributions };
  });
  return { type: 'sweep', name: index.name, dir, axes: index.axes, variants, problems };
}
