// Parsing the run files the engine writes (issue 2, "What a run writes"): DIR/metrics.jsonl,
// DIR/distributions.jsonl and DIR/samples.jsonl, one JSON object per line. Pure: used by the
// extension's tailer, the `orpo-lab report` command and tests. Bad lines give errors naming the
// file, the line and what was expected; JSON null (how the engine writes NaN/Inf) is kept as null.
import { DISTRIBUTION_KEYS, type DistributionsRow, type MetricsRow } from './metrics';
import type { Checked, SampleRow } from './webviewProtocol';
import { isObj, type Obj } from './json';

export type RunFile = 'metrics.jsonl' | 'distributions.jsonl' | 'samples.jsonl';


function parseObject(line: string, where: string): Checked<Obj> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, error: `${where}: not valid JSON: ${line.slice(0, 80)}` };
  }
  return isObj(v) ? { ok: true, value: v } : { ok: false, error: `${where}: expected a JSON object` };
}

export function parseMetricsLine(line: string, where: string): Checked<MetricsRow> {
  const o = parseObject(line, where);
  if (!o.ok) return o;
  const v = o.value;
  if (typeof v.step !== 'number') return { ok: false, error: `${where}: expected a numeric "step"` };
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'number' && x !== null) return { ok: false, error: `${where}: "${k}" should be a number or null, got ${JSON.stringify(x)?.slice(0, 40)}` };
  }
  return { ok: true, value: v as MetricsRow };
}

export function parseDistributionsLine(line: string, where: string): Checked<DistributionsRow> {
  const o = parseObject(line, where);
  if (!o.ok) return o;
  const v = o.value;
  if (typeof v.step !== 'number') return { ok: false, error: `${where}: expected a numeric "step"` };
  for (const k of DISTRIBUTION_KEYS) {
    const a = v[k];
    if (!Array.isArray(a) || !a.every((x) => typeof x === 'number' || x === null)) return { ok: false, error: `${where}: expected "${k}" to be an array of numbers` };
  }
  return { ok: true, value: v as unknown as DistributionsRow };
}

export function parseSampleLine(line: string, where: string): Checked<SampleRow> {
  const o = parseObject(line, where);
  if (!o.ok) return o;
  const v = o.value;
  if (typeof v.step !== 'number' || typeof v.prompt !== 'string' || typeof v.completion !== 'string') {
    return { ok: false, error: `${where}: expected {step: number, prompt: string, completion: string}` };
  }
  return { ok: true, value: { step: v.step, prompt: v.prompt, completion: v.completion } };
}

export interface ParsedLines<T> {
  rows: T[];
  problems: string[];
}

/**
 * Parses complete lines (without their newline) starting at 1-based line number `firstLine`.
 * Blank lines are skipped; each bad line becomes one problem.
 */
export function parseLines<T>(lines: readonly string[], file: string, firstLine: number, parse: LineParser<T>): ParsedLines<T> {
  const rows: T[] = [];
  const problems: string[] = [];
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const r = parse(line, `${file}:${firstLine + i}`);
    if (r.ok) rows.push(r.value);
    else problems.push(r.error);
  });
  return { rows, problems };
}

/** Splits text into its complete lines and the unterminated rest (a line still being written). */
export function splitComplete(text: string): { lines: string[]; rest: string } {
  const end = text.lastIndexOf('\n');
  if (end < 0) return { lines: [], rest: text };
  return { lines: text.slice(0, end).split('\n'), rest: text.slice(end + 1) };
}

/** Parses a whole file's text; a final unterminated line is parsed too (the writer has finished). */
export function parseFileText<T>(text: string, file: string, parse: LineParser<T>): ParsedLines<T> {
  return parseLines(text.split('\n'), file, 1, parse);
}

/** The parser for each run file. */
export const PARSERS = {
  'metrics.jsonl': parseMetricsLine,
  'distributions.jsonl': parseDistributionsLine,
  'samples.jsonl': parseSampleLine,
} as const;

export type LineParser<T> = (line: string, where: string) => Checked<T>;
