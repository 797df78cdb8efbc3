// The language client for *.orpo.yaml (language id `orpo-yaml`): starts the config language server
// (dist/server.js, built from src/server/main.ts) over IPC with vscode-languageclient, following the
// VS Code LSP sample (microsoft/vscode-extension-samples, lsp-sample). Diagnostics, hover, completion
// and the "Start run" code lens come from the server.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { dropDuplicateSyntax } from './syntaxDedup';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export const LANGUAGE_ID = 'orpo-yaml';

const RED_HAT_YAML = 'redhat.vscode-yaml';

export async function startLanguageClient(context: vscode.ExtensionContext, log: vscode.OutputChannel): Promise<LanguageClient | undefined> {
  const module = context.asAbsolutePath('dist/server.js');
  if (!existsSync(module)) {
    log.appendLine(`language server not found at ${module}: no diagnostics for *.orpo.yaml`);
    return undefined;
  }
  // The engine records the WebGPU adapter's limits in the extension's global storage (ORPO_LAB_CACHE_DIR,
  // settings.ts); the server reads them from there to check `backend: webgpu` runs (common/gpuLimits.ts).
  const env = { ...process.env, ORPO_LAB_CACHE_DIR: context.globalStorageUri.fsPath };
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { env } },
    debug: { module, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: LANGUAGE_ID },
      { scheme: 'untitled', language: LANGUAGE_ID },
      // Also when files.associations maps *.orpo.yaml to `yaml`.
      { scheme: 'file', pattern: '**/*.orpo.{yaml,yml}' },
    ],
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        const redHat = vscode.extensions.getExtension(RED_HAT_YAML)?.isActive ?? false;
        next(uri, dropDuplicateSyntax(doc?.languageId ?? LANGUAGE_ID, redHat, diagnostics));
      },
    },
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{jsonl,json,gz,parquet,jinja,orpo.yaml,orpo.yml}') },
    // The language server's messages go to the one "ORPO Lab" channel, not a second one of their own.
    outputChannel: asLogChannel(log),
  };
  const client = new LanguageClient('orpoLab', 'ORPO config language server', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
  return client;
}

/** The plain "ORPO Lab" channel as the LogOutputChannel vscode-languageclient asks for (levels as prefixes). */
function asLogChannel(log: vscode.OutputChannel): vscode.LogOutputChannel {
  const line = (level: string) => (message: string | Error, ...args: unknown[]) => {
    const text = message instanceof Error ? (message.stack ?? message.message) : message;
    log.appendLine(`[language server ${level}] ${[text, ...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))].join(' ')}`);
  };
  const levels = new vscode.EventEmitter<vscode.LogLevel>();
  return {
    name: log.name,
    append: (v: string) => log.append(v),
    appendLine: (v: string) => log.appendLine(v),
    replace: (v: string) => log.replace(v),
    clear: () => log.clear(),
    show: (a?: vscode.ViewColumn | boolean, b?: boolean) => (typeof a === 'boolean' || a === undefined ? log.show(a) : log.show(a, b)),
    hide: () => log.hide(),
    logLevel: vscode.LogLevel.Info,
    onDidChangeLogLevel: levels.event,
    trace: () => {},
    debug: () => {},
    info: line('info'),
    warn: line('warning'),
    error: line('error'),
    // The shared channel outlives the client: its dispose() must not close it.
    dispose: () => levels.dispose(),
  };
}
