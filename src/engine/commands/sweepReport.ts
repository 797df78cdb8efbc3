// `orpo-lab report SWEEP_DIR --out report.html` (issue 15): the sweep view (webview-ui/sweep) as one
// self-contained HTML file, like report.ts does for runs: the sweep bundle and styles inlined, the
// payload (each variant's eval rows and distributions) embedded, under the same nonce CSP.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SWEEP_INDEX } from '../../common/sweepIndex';
import { dashboardPage, makeNonce } from '../../../webview-ui/page';
import { sweepPayloadOf, type SweepPayload } from '../../common/sweepPayload';
import { UsageError } from '../args';

export const isSweepDir = (dir: string): boolean => existsSync(join(dir, SWEEP_INDEX));

/** Reads a sweep directory into the sweep view's payload; unreadable variant files become problems. */
export function loadSweep(dirArg: string): SweepPayload {
  try {
    return sweepPayloadOf(resolve(dirArg), (f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
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
