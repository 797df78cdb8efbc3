// The run lock and atomic run directories, in process: a name taken in the same second gets a suffix,
// a live owner is refused by name, a dead owner's lock is stale and taken over, a finished run's
// directory is never reused, and an early failure leaves no empty directory behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { acquireRunLock, claimOutDir, createRunDir, LOCK_FILE, removeIfEmpty, RunDirError } from './runLock';

const fixed = new Date(2026, 10, 29, 7, 30, 5);

test('runs named alike in the same second get distinct directories', () => {
  const base = mkdtempSync(join(tmpdir(), 'orpo-lock-'));
  const dirs = [0, 1, 2].map(() => createRunDir(join(base, 'runs'), 'same name', fixed));
  assert.deepEqual(dirs.map((d) => basename(d)), ['same-name-20261129-073005', 'same-name-20261129-073005-2', 'same-name-20261129-073005-3']);
});

test('a live owner is refused with its pid; release lets the next writer in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-lock-'));
  const lock = acquireRunLock(dir);
  const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string };
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.host, hostname());
  assert.throws(() => acquireRunLock(dir), (e: Error) => e instanceof RunDirError && e.message.includes(`process ${process.pid}`) && e.message.includes(dir));
  lock.release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  acquireRunLock(dir).release();
});

test('a lock left by a dead process is stale and taken over, saying so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-lock-'));
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: Number(dead), host: hostname(), started: '2026-01-01T00:00:00Z' }));
  const lines: string[] = [];
  const lock = acquireRunLock(dir, (l) => lines.push(l));
  assert.match(lines.join('\n'), new RegExp(`stale lock of process ${dead}`));
  assert.equal((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number }).pid, process.pid);
  lock.release();
});

test('--out of a finished run is refused and nothing in it changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-lock-'));
  writeFileSync(join(dir, 'metrics.jsonl'), '{"step":1}\n');
  assert.throws(() => claimOutDir(dir), (e: Error) => e instanceof RunDirError && /already holds a run/.test(e.message) && e.message.includes(`--resume ${dir}`));
  assert.equal(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'), '{"step":1}\n');
  assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'the refused claim released its lock');
});

test('a run directory left empty by an early failure is removed; one with files is kept', () => {
  const base = mkdtempSync(join(tmpdir(), 'orpo-lock-'));
  const empty = createRunDir(base, 'a', fixed);
  const lock = acquireRunLock(empty);
  mkdirSync(join(empty, 'checkpoints'));
  lock.release();
  removeIfEmpty(empty);
  assert.equal(existsSync(empty), false);
  const full = createRunDir(base, 'b', fixed);
  writeFileSync(join(full, 'config.yaml'), 'name: b\n');
  removeIfEmpty(full);
  assert.ok(existsSync(join(full, 'config.yaml')));
});
