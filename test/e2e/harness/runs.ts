// The Runs view as the end-to-end tests read it (issue 12, point 1): its rows in the workbench's DOM,
// compared with the run folders on disk. Every check asserts one row per folder; a folder listed twice
// fails at once, whatever else is awaited. Command titles come from the manifest, so a renamed command
// needs no test change.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workbench } from './workbench';
import { waitUntil } from './wait';

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string; title: string; category?: string }[] };
};

function command(id: string): { title: string; category?: string } {
  const c = manifest.contributes.commands.find((x) => x.command === id);
  if (!c) throw new Error(`package.json contributes no command ${id}`);
  return c;
}

/** The palette title of a contributed command, e.g. "ORPO: Resume ORPO run". */
export function paletteTitle(id: string): string {
  const c = command(id);
  return c.category ? `${c.category}: ${c.title}` : c.title;
}

/** The bare title (menus, editor actions). */
export function menuTitle(id: string): string {
  return command(id).title;
}

/** Run folders on disk (a config.yaml inside), by name. */
export function runFolders(runsDir: string): string[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(runsDir, e.name, 'config.yaml')))
    .map((e) => e.name)
    .sort();
}

export interface Row { folder: string; status: string; text: string }

// A row's text is its label (the folder) then its description ("stopped · 4/50"), maybe without a space.
const ROW = /^\s*(.*?)\s*(starting|running|stopping|completed|stopped|failed|incomplete) · /;

export async function runRows(wb: Workbench): Promise<Row[]> {
  return (await wb.treeRows('Runs')).map((text) => {
    const m = ROW.exec(text);
    return { folder: m?.[1] ?? text, status: m?.[2] ?? '', text };
  });
}

/**
 * Waits until the Runs view lists exactly the run folders on disk, once each, with the statuses
 * `expected` gives (by folder name prefix, e.g. { long: /running/ }), and returns the rows. A folder
 * listed twice at any poll fails the test.
 */
export async function expectRows(wb: Workbench, runsDir: string, expected: Record<string, RegExp>, what: string, timeoutMs = 60_000): Promise<Row[]> {
  let duplicate: string | undefined;
  let last: Row[] = [];
  const rows = await waitUntil(async () => {
    const rs = await runRows(wb);
    last = rs;
    const names = rs.map((r) => r.folder);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) { duplicate = `${twice} is listed twice: ${rs.map((r) => r.text.replace(/\n/g, ' ')).join(' | ')}`; return rs; }
    const disk = runFolders(runsDir);
    if (names.slice().sort().join(',') !== disk.join(',')) return undefined;
    const ok = rs.every((r) => Object.entries(expected).some(([prefix, re]) => r.folder.startsWith(prefix) && re.test(r.status)));
    return ok ? rs : undefined;
  }, timeoutMs, `${what}: the Runs view to list each run folder on disk once (${runFolders(runsDir).join(', ')}) with ${JSON.stringify(Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, v.source])))}`)
    .catch((e: unknown) => { throw new Error(`${e instanceof Error ? e.message : String(e)}; last rows: ${last.map((r) => r.text.replace(/\n/g, ' ')).join(' | ')}`); });
  assert.equal(duplicate, undefined, `${what}: ${duplicate}`);
  return rows;
}
