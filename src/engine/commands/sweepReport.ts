// `orpo-lab report SWEEP_DIR --out report.html` (issue 15): the sweep view (webview-ui/sweep) as one
// self-contained HTML file, like report.ts does for runs: the sweep bundle and styles inlined, the
// payload (each variant's eval rows and distributions) embedded, under the same nonce CSP.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EVAL_PREFIX } from '../../common/metrics';
import { SWEEP_INDEX, parseSweepIndex } from '../../common/sweepIndex';
import { dashboardPage, makeNonce } from '../../../webview-ui/page';
import { parseDistributionsLine, parseFileText, parseMetricsLine, type LineParser } from '../../../webview-ui/model/rows';
import type { SweepPayload } from '../../../webview-ui/sweep/model';
import { UsageError } from '../args';

export const isSweepDir = (dir: string): boolean => existsSync(join(dir, SWEEP_INDEX));

/** Reads a sweep directory into the sweep view's payload; unreadable variant files become problems. */
export function loadSweep(dirArg: string): SweepPayload {
  const dir = resolve(dirArg);
  const parsed = parseSweepIndex(readFileSync(join(dir, SWEEP_INDEX), 'utf8'));
  if (!parsed.ok) throw new UsageError(`${join(dir, SWEEP_INDEX)}: ${parsed.error}`);
  const index = parsed.value;
  const problems: string[] = [];
  const read = <T>(file: string, parse: LineParser<T>): T[] => {
    if (!existsSync(file)) return [];
    const r = parseFileText(readFileSync(file, 'utf8'), file, parse);
    problems.push(...r.problems);
    return r.rows;
  };
  const variants = index.variants.map((v) => {
    const runDir = join(dir, v.run_dir);
    const evals = read(join(runDir, 'metrics.jsonl'), parseMetricsLine).filter((r) => Object.keys(r).some((k) => k.startsWith(EVAL_PREFIX)));
    const distributions = read(join(runDir, 'distributions.jsonl'), parseDistributionsLine);
    if (v.status !== 'completed') problems.push(`${v.name}: ${v.status}${v.error ? ` (${v.error})` : ''}`);
    return { name: v.name, values: v.values, status: v.status, evals, distributions };
  });
  return { type: 'sweep', name: index.name, dir, axes: index.axes, variants, problems };
}

export function renderSweepReport(p: SweepPayload, webviewDir: string): string {
  const js = join(webviewDir, 'sweep.js');
  if (!existsSync(js)) throw new UsageError(`the built sweep view (${js}) was not found: run "npm run build" first`);
  const cssPath = join(webviewDir, 'sweep.css');
  const css = existsSync(cssPath) ? readFileSync(cssPath, 'utf8') : '';
  return dashboardPage({
    title: `ORPO Lab sweep report: ${p.name} (${p.variants.length} variants)`,
    nonce: makeNonce((n) => randomBytes(n)),
    script: { inline: readFileSync(js, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n') },
    style: { inline: css.replace(/\/\*# sourceMappingURL=\S+ \*\/\s*$/, '') },
    data: p,
  });
}
