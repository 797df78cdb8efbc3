// Malformed LSP frames end the server in words instead of silencing it (issue 12 §8): raw bytes are
// written to the real servers (`src/server/main.ts --stdio` and `orpo-lab lsp --stdio`); a good frame
// is answered, then each fault (missing, non-numeric, short, oversized or never-completed
// Content-Length) makes the process exit 1 with a stderr line, so the client restarts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { FrameChecker, MAX_CONTENT_LENGTH } from './frames';

const ROOT = path.resolve(__dirname, '../..');
const frame = (body: string, length = Buffer.byteLength(body)) => `Content-Length: ${length}\r\n\r\n${body}`;
const init = frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
const ping = frame(JSON.stringify({ jsonrpc: '2.0', method: 'initialized', params: {} }));

test('FrameChecker: good frames in any chunking pass; each fault is named', () => {
  const good = new FrameChecker();
  const bytes = Buffer.from(init + ping + init);
  for (let i = 0; i < bytes.length; i += 7) assert.equal(good.push(bytes.subarray(i, i + 7)), undefined);
  assert.equal(good.frames, 3);
  assert.equal(good.pending, false);
  const cases: [string, RegExp][] = [
    ['Content-Type: application/json\r\n\r\n{}', /without a Content-Length/],
    ['Content-Length: ten\r\n\r\n{}', /must be a number of bytes, got "ten"/],
    ['Content-Length: -5\r\n\r\n{}', /must be a number/],
    [frame('{"jsonrpc":"2.0","method":"initialized"}', 10) + ping, /not JSON/],
    [`Content-Length: ${MAX_CONTENT_LENGTH + 1}\r\n\r\n{}`, /over the 67108864-byte limit/],
    ['x'.repeat(9000), /no end of headers/],
  ];
  for (const [raw, what] of cases) assert.match(new FrameChecker().push(Buffer.from(raw)) ?? '', what, raw.slice(0, 40));
  const long = new FrameChecker();
  assert.equal(long.push(Buffer.from(frame('{}', 100))), undefined);
  assert.equal(long.pending, true, 'a too-long Content-Length leaves a pending frame (the stall timer ends it)');
});

async function fault(args: string[], raw: string, within: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  child.stdin.write(init);
  while (!stdout.includes('"id":1')) await new Promise((r) => setTimeout(r, 50));
  child.stdin.write(raw);
  const timer = setTimeout(() => child.kill('SIGKILL'), within);
  const code = await exited;
  clearTimeout(timer);
  return { code, stderr };
}

const servers: [string, string[]][] = [['main.ts --stdio', ['src/server/main.ts', '--stdio']], ['orpo-lab lsp --stdio', ['src/engine/cli.ts', 'lsp', '--stdio']]];
const faults: [string, string, RegExp, number][] = [
  ['missing Content-Length', 'Content-Type: x\r\n\r\n{"jsonrpc":"2.0","method":"initialized"}' + ping, /without a Content-Length/, 20_000],
  ['non-numeric Content-Length', 'Content-Length: abc\r\n\r\n{}' + ping, /must be a number of bytes/, 20_000],
  ['short Content-Length', frame('{"jsonrpc":"2.0","method":"initialized","params":{}}', 12) + ping, /not JSON/, 20_000],
  ['oversized Content-Length', `Content-Length: 99999999999\r\n\r\n{}`, /over the .*limit/, 20_000],
  ['Content-Length longer than the body, then silence', frame('{}', 500), /incomplete after 10000 ms/, 40_000],
];

for (const [name, args] of servers) {
  test(`${name}: each malformed frame ends the process with exit 1 and a message`, async () => {
    const results = await Promise.all(faults.map(([, raw, , within]) => fault(args, raw, within)));
    results.forEach((r, i) => {
      const [what, , message] = faults[i] as [string, string, RegExp, number];
      assert.equal(r.code, 1, `${what}: exit code (killed after the wait means it hung); stderr: ${r.stderr}`);
      assert.match(r.stderr, /malformed LSP message: /, what);
      assert.match(r.stderr, message, what);
      assert.match(r.stderr, /exiting so the client restarts the server/);
    });
  });
}
