// Validation of `sweep:` (issue 15; spec in src/common/sweep.ts): every key must be a sweepable config
// path, every value a non-empty list, every item valid as if it were written at that path (the same JSON
// Schema ajv checks in place, plus its soft limits), zip lists of equal length, at most MAX_SWEEP_RUNS
// variants, and no variant breaking a cross-field rule (e.g. `method: dpo` without `beta`). Each problem
// is reported on the key or item at fault.
import Ajv, { type ValidateFunction } from 'ajv';
import { isMap, isSeq, type Node, type Pair } from 'yaml';
import { toJsonSchema } from '../../common/jsonSchema';
import { describeExpected, specAt, specPaths, type FieldSpec } from '../../common/schema';
import { MAX_SWEEP_RUNS, SWEEP_KEY, UNSWEEPABLE, applyVariant, expandGrid, gridSize, readSweep, type Sweep } from '../../common/sweep';
import { keyName, keyRange, pairAt, rangeAt, type ParsedConfig } from './document';
import { ruleDiagnostics } from './rules';
import { describeValue } from './schemaCheck';
import { closest } from './suggest';
import type { ConfigDiagnostic, Range } from './types';

const validators = new Map<FieldSpec, ValidateFunction>();
function validatorOf(spec: FieldSpec): ValidateFunction {
  let v = validators.get(spec);
  if (!v) validators.set(spec, (v = new Ajv({ allErrors: true, strict: true }).compile(toJsonSchema(spec))));
  return v;
}

/** Dotted paths that may be swept: every leaf of the spec except the sweep's own keys. */
export function sweepablePaths(): string[] {
  return specPaths()
    .filter((p) => p[0] !== SWEEP_KEY && !(UNSWEEPABLE as readonly string[]).includes(p.join('.')))
    .filter((p) => specAt(p)?.kind !== 'object')
    .map((p) => p.join('.'));
}

const rangeOf = (p: ParsedConfig, n: unknown): Range | undefined => {
  const r = (n as Node | null)?.range;
  return r ? rangeAt(p, r[0], r[1]) : undefined;
};

const err = (range: Range, message: string, code = 'sweep'): ConfigDiagnostic => ({ range, severity: 'error', message, code });

/** Problems with one item of one list, as if the item were written at `path`. */
function itemDiagnostics(where: string, spec: FieldSpec, v: unknown, range: Range): ConfigDiagnostic[] {
  const expected = describeExpected(spec, false);
  if (!validatorOf(spec)(v)) {
    const allowed = spec.kind === 'string' && spec.enum ? spec.enum : [];
    const near = typeof v === 'string' ? closest(v, allowed) : undefined;
    const what = typeof v === 'number' && !Number.isFinite(v) ? `a finite number, ${expected}` : expected;
    return [err(range, `${where}: each value must be ${what}, got ${describeValue(v)}${near ? `; did you mean "${near}"?` : ''}`)];
  }
  if (spec.kind === 'number' && spec.warnAbove !== undefined && typeof v === 'number' && v > spec.warnAbove) {
    return [{ range, severity: 'warning', message: `${where}: ${v} is above ${spec.warnAbove}, an unusually large value that is likely to make training unstable`, code: 'range-warning' }];
  }
  return [];
}

/** Checks one `path: [values]` entry; true when it is a usable axis. */
function checkAxis(p: ParsedConfig, pair: Pair, key: string, out: ConfigDiagnostic[]): boolean {
  const kr = rangeOf(p, pair.key) ?? keyRange(p, [SWEEP_KEY]);
  const path = key.split('.');
  const spec = specAt(path);
  if ((UNSWEEPABLE as readonly string[]).includes(key) || path[0] === SWEEP_KEY) {
    out.push(err(kr, `sweep: "${key}" cannot be swept; it names the sweep itself`));
    return false;
  }
  if (!spec) {
    const near = closest(key, sweepablePaths());
    out.push(err(kr, `sweep: unknown config path "${key}"${near ? `; did you mean "${near}"?` : '; write a dotted path such as lambda, seed or train.learning_rate'}`));
    return false;
  }
  if (spec.kind === 'object') {
    const sub = sweepablePaths().filter((s) => s.startsWith(key + '.')).slice(0, 3);
    out.push(err(kr, `sweep: "${key}" is a mapping; sweep one of its keys, e.g. ${sub.join(', ')}`));
    return false;
  }
  const seq = pair.value;
  const vr = rangeOf(p, seq) ?? kr;
  if (!isSeq(seq)) {
    out.push(err(vr, `sweep.${key} must be a list of values, e.g. [a, b], got ${describeValue((seq as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null)}`));
    return false;
  }
  if (seq.items.length === 0) {
    out.push(err(vr, `sweep.${key} is an empty list; give at least one value`));
    return false;
  }
  const before = out.length;
  seq.items.forEach((item, i) => {
    const v = (item as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null;
    out.push(...itemDiagnostics(`sweep.${key}[${i}]`, spec, v, rangeOf(p, item) ?? vr));
  });
  return !out.slice(before).some((d) => d.severity === 'error');
}

/** Cross-field rules checked on every variant; each new error is reported once, on the item that causes it. */
function variantRules(p: ParsedConfig, sweep: Sweep, items: Map<string, Node[]>): ConfigDiagnostic[] {
  const base = new Set(ruleDiagnostics(p, '').map((d) => d.message));
  const seen = new Set<string>();
  const out: ConfigDiagnostic[] = [];
  for (const variant of expandGrid(sweep)) {
    const value = applyVariant(p.value, variant.values);
    for (const d of ruleDiagnostics({ ...p, value }, '')) {
      if (d.severity !== 'error' || base.has(d.message) || seen.has(d.message)) continue;
      seen.add(d.message);
      const axis = sweep.axes.find((a) => d.message.includes(a.path)) ?? sweep.axes[0];
      const idx = axis ? axis.values.findIndex((v) => JSON.stringify(v) === JSON.stringify(variant.values[axis.path])) : -1;
      const node = axis ? items.get(axis.path)?.[idx] : undefined;
      out.push(err(rangeOf(p, node) ?? keyRange(p, [SWEEP_KEY]), `sweep variant ${variant.name}: ${d.message}`, 'sweep-variant'));
    }
  }
  return out;
}

export function sweepDiagnostics(p: ParsedConfig): ConfigDiagnostic[] {
  const root = p.doc?.contents;
  const sweepPair = pairAt(root, [SWEEP_KEY]);
  if (!sweepPair || !isMap(sweepPair.value)) return []; // absent, or not a mapping (the schema check says so)
  const out: ConfigDiagnostic[] = [];
  const items = new Map<string, Node[]>();
  let usable = true;
  for (const pair of sweepPair.value.items) {
    const key = keyName(pair);
    if (key === undefined || key === 'mode') continue;
    if (checkAxis(p, pair, key, out)) items.set(key, (pair.value as { items: Node[] }).items);
    else usable = false;
  }
  const sweep = readSweep(p.value);
  if (!sweep) return out;
  const sweepKey = keyRange(p, [SWEEP_KEY]);
  if (sweep.axes.length === 0 && out.length === 0) {
    out.push(err(sweepKey, 'sweep has no lists; map config paths to lists of values, e.g. lambda: [0.1, 0.5, 1.0]'));
    return out;
  }
  const n = gridSize(sweep);
  if (sweep.mode === 'zip' && Number.isNaN(n)) {
    const lens = sweep.axes.map((a) => `${a.path} has ${a.values.length}`).join(', ');
    const modeRange = rangeOf(p, pairAt(root, [SWEEP_KEY, 'mode'])?.value) ?? sweepKey;
    out.push(err(modeRange, `sweep.mode zip pairs the lists value by value, so they must have the same length: ${lens}`));
    return out;
  }
  if (n > MAX_SWEEP_RUNS) {
    const factors = sweep.axes.map((a) => a.values.length).join(' × ');
    out.push(err(sweepKey, `the sweep has ${n} runs (${factors}), more than the limit of ${MAX_SWEEP_RUNS}; shorten the lists or use sweep.mode: zip`));
    return out;
  }
  if (usable && n > 0) out.push(...variantRules(p, sweep, items));
  return out;
}
