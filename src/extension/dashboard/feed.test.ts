// The dashboard feed (feed.ts), without vscode: a live run's rows already on disk arrive in the first
// message (no wait for the poll), and a run whose folder is gone, at load or while shown, is posted
// as gone in words, never as an ENOENT, with the host told so the Runs view drops it (issue 12 §1, §3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goneText, type HostMessage } from '../../common/webviewProtocol';
import { DashboardFeed } from './feed';

function runDir(root: string, name: string, steps: number): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.yaml'), `name: ${name}\nmethod: orpo\nlambda: 0.5\n`);
  writeFileSync(join(dir, 'metrics.jsonl'), Array.from({ length: steps }, (_, i) => `{"step":${i + 1},"loss":${3 - i / 10}}\n`).join(''));
  return dir;
}

interface Recorder {
  msgs: HostMessage[];
  gone: string[];
  logs: string[];
  post(m: HostMessage): void;
  next(pred: (m: HostMessage) => boolean): Promise<HostMessage>;
}

function recorder(): Recorder {
  const msgs: HostMessage[] = [];
  const waiters: { pred: (m: HostMessage) => boolean; res: (m: HostMessage) => void }[] = [];
  const rec = {
    msgs, gone: [] as string[], logs: [] as string[],
    post(m: HostMessage) {
      msgs.push(m);
      for (const w of waiters.splice(0)) if (w.pred(m)) w.res(m); else waiters.push(w);
    },
    next: (pred: (m: HostMessage) => boolean) => new Promise<HostMessage>((res) => {
      const m = msgs.find(pred);
      if (m) res(m); else waiters.push({ pred, res });
    }),
  };
  return rec;
}

void test('a live run: the rows already written come in the first message, before any poll', async () => {
  const root = mkdtempSync(join(tmpdir(), 'orpo-feed-'));
  const dir = runDir(root, 'live', 5);
  writeFileSync(join(dir, 'distributions.jsonl'), '{"step":4,"chosen_logps":[-1],"rejected_logps":[-2],"chosen_rewards":[-0.5],"rejected_rewards":[-1],"log_odds":[0.7]}\n');
  // A line the engine is still writing waits for its newline.
  appendFileSync(join(dir, 'metrics.jsonl'), '{"step":6,"lo');
  const rec = recorder();
  // A poll of a minute: anything the first message lacks could only come much later.
  const feed = new DashboardFeed({ post: (m) => rec.post(m), log: (l) => rec.logs.push(l), gone: (d) => rec.gone.push(d) }, { pollMs: 60_000, batchMs: 10 });
  const t0 = performance.now();
  await feed.load([dir]);
  const ms = performance.now() - t0;
  const first = rec.msgs[0];
  assert.equal(first?.type, 'runs', `the first message is the runs: ${JSON.stringify(rec.msgs.map((m) => m.type))}`);
  const run = first.type === 'runs' ? first.runs[0] : undefined;
  assert.deepEqual(run?.metrics.map((r) => r.step), [1, 2, 3, 4, 5]);
  assert.deepEqual(run?.distributions.map((r) => r.step), [4]);
  assert.deepEqual([run?.info.name, run?.info.method, run?.info.lambda, run?.gone], ['live', 'orpo', 0.5, undefined]);
  assert.ok(ms < 1000, `posted within ${ms.toFixed(0)} ms of load`);
  // The rest of the line arrives as an append (fs.watch wakes the watcher long before the poll).
  appendFileSync(join(dir, 'metrics.jsonl'), 'ss":2.4}\n');
  const more = await rec.next((m) => m.type === 'append' && m.metrics.length > 0);
  assert.deepEqual(more.type === 'append' ? more.metrics : [], [{ step: 6, loss: 2.4 }]);
  feed.dispose();
  assert.deepEqual([rec.gone, rec.logs], [[], []]);
  rmSync(root, { recursive: true });
});

void test('a deleted run folder (also a panel restored after a reload) is posted as gone, in words, and the host told', async () => {
  const root = mkdtempSync(join(tmpdir(), 'orpo-feed-'));
  const kept = runDir(root, 'kept', 2);
  const missing = join(root, 'deleted-run');
  const rec = recorder();
  const feed = new DashboardFeed({ post: (m) => rec.post(m), log: (l) => rec.logs.push(l), gone: (d) => rec.gone.push(d) }, { pollMs: 60_000 });
  await feed.load([kept, missing]);
  assert.equal(rec.msgs.length, 1);
  const m = rec.msgs[0];
  assert.ok(m?.type === 'runs');
  const [a, b] = m.runs;
  assert.deepEqual(a?.metrics.length, 2);
  assert.equal(a?.gone, undefined);
  assert.deepEqual({ name: b?.info.name, dir: b?.info.dir, gone: b?.gone, problems: b?.problems, metrics: b?.metrics }, { name: 'deleted-run', dir: missing, gone: true, problems: [], metrics: [] });
  assert.doesNotMatch(JSON.stringify(rec.msgs), /ENOENT|no such file/);
  assert.deepEqual(rec.gone, [missing]);
  assert.equal(goneText(missing), `This run's folder ${missing} no longer exists: it was deleted or moved. Close this dashboard, or open another run from the Runs view.`);
  feed.dispose();
  rmSync(root, { recursive: true });
});

void test('a folder deleted while shown: a gone message, watching stops, no file errors', async () => {
  const root = mkdtempSync(join(tmpdir(), 'orpo-feed-'));
  const dir = runDir(root, 'shown', 3);
  const rec = recorder();
  const feed = new DashboardFeed({ post: (m) => rec.post(m), log: (l) => rec.logs.push(l), gone: (d) => rec.gone.push(d) }, { pollMs: 50, batchMs: 10 });
  await feed.load([dir]);
  rmSync(dir, { recursive: true });
  assert.deepEqual(await rec.next((m) => m.type === 'gone'), { type: 'gone', runId: dir });
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(rec.msgs.map((m) => m.type), ['runs', 'gone'], 'one gone message, then nothing');
  assert.deepEqual([rec.gone, rec.logs], [[dir], []]);
  feed.dispose();
  rmSync(root, { recursive: true });
});

void test('a newer load replaces an older one: only its runs are posted', async () => {
  const root = mkdtempSync(join(tmpdir(), 'orpo-feed-'));
  const a = runDir(root, 'a', 1);
  const b = runDir(root, 'b', 2);
  const rec = recorder();
  const feed = new DashboardFeed({ post: (m) => rec.post(m), log: (l) => rec.logs.push(l), gone: (d) => rec.gone.push(d) }, { pollMs: 60_000, batchMs: 10 });
  await Promise.all([feed.load([a]), feed.load([b])]);
  assert.deepEqual(rec.msgs.map((m) => (m.type === 'runs' ? m.runs.map((r) => r.info.name) : m.type)), [['b']]);
  feed.dispose();
  appendFileSync(join(b, 'metrics.jsonl'), '{"step":3,"loss":1}\n');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(rec.msgs.length, 1, 'nothing after dispose');
  rmSync(root, { recursive: true });
});
