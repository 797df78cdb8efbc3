// End-to-end: starts the real language server over stdio (both `src/server/main.ts --stdio`, the
// extension's entry, and `orpo-lab lsp --stdio`) and talks JSON-RPC to it with vscode-jsonrpc: open a
// document, receive its diagnostics (debounced: one publish for a burst of edits), then completion,
// hover, a quick fix and the code lens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const ROOT = path.resolve(__dirname, '../..');
const DOC_URI = pathToFileURL(path.join(ROOT, 'test/fixtures/configs/lsp.orpo.yaml')).href;

interface PublishParams { uri: string; version?: number; diagnostics: { message: string; range: { start: { line: number; character: number } }; severity: number; code?: string; data?: unknown; source?: string }[] }

async function session(args: string[]): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published: PublishParams[] = [];
  const waiters: { pred: (p: PublishParams) => boolean; resolve: (p: PublishParams) => void }[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishParams) => {
    published.push(p);
    for (const w of waiters.splice(0)) {
      if (w.pred(p)) w.resolve(p);
      else waiters.push(w);
    }
  });
  const next = (pred: (p: PublishParams) => boolean) => new Promise<PublishParams>((resolve) => waiters.push({ pred, resolve }));
  conn.listen();
  try {
    const init = await conn.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: {} });
    assert.ok(init.capabilities.codeLensProvider && init.capabilities.hoverProvider && init.capabilities.completionProvider && init.capabilities.codeActionProvider, JSON.stringify(init));
    await conn.sendNotification('initialized', {});

    const text = 'name: lsp\ndata:\n  train: data/explicit.jsonl\ntrain:\n  learning_rat: 0.001\n';
    const first = next((p) => p.uri === DOC_URI);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: DOC_URI, languageId: 'yaml', version: 1, text } });
    const d1 = await first;
    assert.equal(d1.diagnostics.length, 1, JSON.stringify(d1));
    const diag = d1.diagnostics[0];
    assert.match(diag?.message ?? '', /unknown key "learning_rat" in train; did you mean "learning_rate"\?/);
    assert.deepEqual(diag?.range.start, { line: 4, character: 2 });
    assert.equal(diag?.severity, 1);
    assert.equal(diag?.source, 'orpo-lab');

    // A burst of edits is validated once, for the last version.
    const last = next((p) => p.uri === DOC_URI && p.version === 4);
    // Written back to back (not awaited one by one), so they reach the server together.
    await Promise.all(([[2, '  learning_rate: 0'], [3, '  learning_rate: 0.5'], [4, '  learning_rate: 0.0']] as const).map(([v, lr]) =>
      conn.sendNotification('textDocument/didChange', { textDocument: { uri: DOC_URI, version: v }, contentChanges: [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 100 } }, text: lr }] })));
    const d4 = await last;
    assert.deepEqual(published.map((p) => p.version), [1, 4], 'versions 2 and 3 were debounced away');
    assert.match(d4.diagnostics[0]?.message ?? '', /train\.learning_rate must be a number > 0, got 0/);

    const quickFix = await conn.sendRequest<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri: DOC_URI }, range: diag?.range ?? assert.fail(), context: { diagnostics: [diag] },
    });
    assert.equal(quickFix[0]?.title, 'Change to "learning_rate"');
    assert.equal(quickFix[0]?.edit.changes[DOC_URI]?.[0]?.newText, 'learning_rate');

    const lenses = await conn.sendRequest<{ command: { title: string; command: string; arguments: unknown[] } }[]>('textDocument/codeLens', { textDocument: { uri: DOC_URI } });
    assert.deepEqual(lenses.map((l) => l.command), [{ title: '▶ Start ORPO run', command: 'orpoLab.startRun', arguments: [DOC_URI] }]);

    const items = await conn.sendRequest<{ label: string }[]>('textDocument/completion', { textDocument: { uri: DOC_URI }, position: { line: 2, character: 14 } });
    assert.ok(items.some((i) => i.label === 'explicit.jsonl'), JSON.stringify(items.map((i) => i.label)));
    const hover = await conn.sendRequest<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: DOC_URI }, position: { line: 2, character: 12 } });
    assert.match(hover.contents.value, /Format: `explicit` \(detected\)[\s\S]*Pairs: 3/);

    const cleared = next((p) => p.uri === DOC_URI && p.diagnostics.length === 0);
    await conn.sendNotification('textDocument/didClose', { textDocument: { uri: DOC_URI } });
    await cleared;
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    assert.equal(await exited, 0, stderr);
  } finally {
    conn.dispose();
    child.kill();
  }
}

void test('the language server over stdio (dist entry: src/server/main.ts --stdio)', async () => {
  await session(['src/server/main.ts', '--stdio']);
});

void test('orpo-lab lsp --stdio serves the same protocol', async () => {
  await session(['src/engine/cli.ts', 'lsp', '--stdio']);
});
