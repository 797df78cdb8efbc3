// `orpo-lab report RUN_DIR [RUN_DIR…] --out report.html`: the dashboard (webview-ui) as one
// self-contained HTML file, for runs on remote machines: the built dashboard script and styles are
// inlined, the runs' rows embedded as a JSON script element, under a strict nonce CSP. Several run
// directories give the comparison view. Reads the files issue 2 defines (config.yaml, metrics.jsonl,
// distributions.jsonl, samples.jsonl).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dashboardPage, makeNonce } from '../../../webview-ui/page';
import { parseDistributionsLine, parseFileText, parseMetricsLine, parseSampleLine, type LineParser, type RunFile } from '../../common/runFiles';
import { runInfoFromConfig } from '../../common/runInfo';
import type { HostMessage, RunPayload } from '../../common/webviewProtocol';
import { isSweepDir, loadSweep, renderSweepReport } from './sweepReport';
import { flagString, parseCommand, usageLine, UsageError, type CommandSpec } from '../args';

export const REPORT_SPEC: CommandSpec = {
  name: 'report',
  positionals: 'RUN_DIR [RUN_DIR...] | SWEEP_DIR',
  minPositionals: 1,
  maxPositionals: Infinity,
  summary: 'Writes the dashboard of one run, the comparison of several, or the view of a sweep, as one self-contained HTML file.',
  options: {
    out: { type: 'string', arg: 'FILE', help: 'the HTML file to write (required)', alike: ['output', 'o'] },
    'webview-dir': { type: 'string', arg: 'DIR', help: 'the built dashboard (default: dist/webview)' },
  },
};

function readRows<T>(dir: string, file: RunFile, parse: LineParser<T>, required: boolean, problems: string[]): T[] {
  const path = join(dir, file);
  if (!existsSync(path)) {
    if (required) throw new UsageError(`${path}: not found (is ${dir} a run directory?)`);
    return [];
  }
  const parsed = parseFileText(readFileSync(path, 'utf8'), path, parse);
  problems.push(...parsed.problems);
  return parsed.rows;
}

/** Reads one run directory into the dashboard's payload; bad lines become `problems`. */
export function loadRun(dirArg: string): RunPayload {
  const dir = resolve(dirArg);
  const problems: string[] = [];
  const cfgPath = join(dir, 'config.yaml');
  let config: unknown = {};
  if (existsSync(cfgPath)) {
    try {
      config = parseYaml(readFileSync(cfgPath, 'utf8'));
    } catch (e) {
      problems.push(`${cfgPath}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    problems.push(`${cfgPath}: not found; the run is named after its directory`);
  }
  return {
    info: runInfoFromConfig(config, dir),
    metrics: readRows(dir, 'metrics.jsonl', parseMetricsLine, true, problems),
    distributions: readRows(dir, 'distributions.jsonl', parseDistributionsLine, false, problems),
    samples: readRows(dir, 'samples.jsonl', parseSampleLine, false, problems),
    problems,
  };
}

/** The folder holding the built dashboard (main.js, main.css): dist/webview above this file. */
export function findWebviewDir(from: string = __dirname): string | undefined {
  for (let d = from; ; d = dirname(d)) {
    const candidate = join(d, 'dist', 'webview');
    if (existsSync(join(candidate, 'main.js'))) return candidate;
    const sibling = join(d, 'webview');
    if (existsSync(join(sibling, 'main.js')) && existsSync(join(d, 'engine'))) return sibling;
    if (dirname(d) === d) return undefined;
  }
}

export function renderReport(runs: RunPayload[], webviewDir: string): string {
  const js = readFileSync(join(webviewDir, 'main.js'), 'utf8');
  const cssPath = join(webviewDir, 'main.css');
  const css = existsSync(cssPath) ? readFileSync(cssPath, 'utf8') : '';
  const data: HostMessage = { type: 'runs', runs };
  return dashboardPage({
    title: `ORPO Lab report: ${runs.map((r) => `${r.info.name} (${r.info.method})`).join(', ')}`,
    nonce: makeNonce((n) => randomBytes(n)),
    script: { inline: js.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n') },
    style: { inline: css.replace(/\/\*# sourceMappingURL=\S+ \*\/\s*$/, '') },
    data,
  });
}

export async function main(argv: string[]): Promise<number> {
  const args = parseCommand(REPORT_SPEC, argv);
  const out = flagString(args, 'out');
  if (!out) throw new UsageError(`--out FILE is required\n${usageLine(REPORT_SPEC)}`);
  const webviewDir = flagString(args, 'webview-dir') ?? findWebviewDir();
  if (args.positionals.length === 1 && isSweepDir(args.positionals[0] as string)) {
    const sweep = loadSweep(args.positionals[0] as string);
    for (const p of sweep.problems) process.stderr.write(`warning: ${p}\n`);
    writeFileSync(out, renderSweepReport(sweep, webviewDir ?? join(__dirname, 'webview')));
    process.stderr.write(`wrote ${out}: sweep of ${sweep.variants.length} variants\n`);
    return 0;
  }
  if (!webviewDir || !existsSync(join(webviewDir, 'main.js'))) {
    throw new UsageError(`the built dashboard (dist/webview/main.js) was not found${webviewDir ? ` in ${webviewDir}` : ''}: run "npm run build" first`);
  }
  const runs = args.positionals.map(loadRun);
  for (const r of runs) for (const p of r.problems) process.stderr.write(`warning: ${p}\n`);
  try {
    writeFileSync(out, renderReport(runs, webviewDir));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'its folder does not exist' : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : err.code === 'EISDIR' ? 'it is a directory' : err.code === 'ENOSPC' ? 'no space left on device' : err.message;
    process.stderr.write(`orpo-lab report: cannot write ${out}: ${why}\n`);
    return 1;
  }
  const rows = runs.reduce((n, r) => n + r.metrics.length, 0);
  process.stderr.write(`wrote ${out}: ${runs.length} run(s), ${rows} metric rows\n`);
  return 0;
}
