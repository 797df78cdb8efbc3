// The dashboard's data feed for one webview, free of vscode so Node tests cover it (issue 12 §1, §3).
// `load` reads every shown run from disk and posts them whole in one first message, so a live run's
// dashboard shows the rows already written at once (no wait for a watch event or the poll); new rows
// follow as the run watchers batch them. A run whose folder no longer exists (deleted or moved, also
// in a panel VS Code restores after a reload) is posted as `gone`, which the dashboard puts in words
// (goneText), never as a file error; a folder that disappears while shown is posted as `gone` too.
// The `gone` hook lets the host drop the folder from the Runs view.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runInfoFromConfig } from '../../common/runInfo';
import type { HostMessage, RunInfo, RunPayload } from '../../common/webviewProtocol';
import { dirExists, RunWatcher, type WatchOptions } from './runWatcher';

export interface FeedHooks {
  post(m: HostMessage): void;
  log(msg: string): void;
  /** A shown run's folder does not exist (at load, or since). */
  gone(dir: string): void;
}

async function readInfo(dir: string): Promise<{ info: RunInfo; problems: string[] }> {
  const path = join(dir, 'config.yaml');
  try {
    return { info: runInfoFromConfig(parseYaml(await readFile(path, 'utf8')), dir), problems: [] };
  } catch (e) {
    return { info: runInfoFromConfig({}, dir), problems: [`${path}: ${e instanceof Error ? e.message : String(e)}`] };
  }
}

export class DashboardFeed {
  private watchers: RunWatcher[] = [];
  private generation = 0;

  constructor(private readonly hooks: FeedHooks, private readonly opts: WatchOptions = {}) {}

  /** (Re)reads every run from disk, posts them whole, then streams new rows. */
  async load(dirs: readonly string[]): Promise<void> {
    const gen = ++this.generation;
    this.stop();
    const current = () => gen === this.generation;
    const mine: RunWatcher[] = [];
    const runs: RunPayload[] = await Promise.all(dirs.map(async (dir): Promise<RunPayload> => {
      if (!(await dirExists(dir))) return { info: runInfoFromConfig({}, dir), metrics: [], distributions: [], samples: [], problems: [], gone: true };
      const w = new RunWatcher(dir, {
        batch: (b) => {
          if (!current()) return;
          if (b.reset) this.hooks.post({ type: 'reset', runId: dir });
          this.hooks.post({ type: 'append', runId: dir, metrics: b.metrics, distributions: b.distributions, samples: b.samples, problems: b.problems });
        },
        error: (e) => this.hooks.log(`dashboard: reading ${dir}: ${e instanceof Error ? e.message : String(e)}`),
        gone: () => {
          if (!current()) return;
          this.hooks.post({ type: 'gone', runId: dir });
          this.hooks.gone(dir);
        },
      }, this.opts);
      mine.push(w);
      const [{ info, problems }, first] = await Promise.all([readInfo(dir), w.start()]);
      // Deleted between the check and the read: say so rather than show a file error.
      if (problems.length > 0 && !(await dirExists(dir))) {
        w.dispose();
        return { info, metrics: [], distributions: [], samples: [], problems: [], gone: true };
      }
      return { info, metrics: first.metrics, distributions: first.distributions, samples: first.samples, problems: [...problems, ...first.problems] };
    }));
    if (!current()) {
      for (const w of mine) w.dispose();
      return;
    }
    this.watchers = mine;
    this.hooks.post({ type: 'runs', runs });
    for (const r of runs) if (r.gone) this.hooks.gone(r.info.dir);
  }

  private stop(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
  }

  dispose(): void {
    this.generation++;
    this.stop();
  }
}
