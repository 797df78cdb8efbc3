// The thin Language Server Protocol wiring around the validation service (./service): document sync,
// debounced validation (200 ms per document), completion, hover, quick fixes, the "Start ORPO run" code
// lens, and file-cache invalidation on workspace/didChangeWatchedFiles. Used by dist/server.js (the VS
// Code extension) and `orpo-lab lsp --stdio` (other editors). Protocol: LSP 3.17 via vscode-languageserver.
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind, DiagnosticSeverity, DidChangeWatchedFilesNotification, TextDocumentSyncKind, TextDocuments,
  type CodeAction as LspCodeAction, type Connection, type Diagnostic,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { readGpuRecord } from './service/gpuRecord';
import { createProbe, getCodeActions, getCodeLenses, getCompletions, getHover, validateDocument, type ConfigDiagnostic } from './service';

export const DEBOUNCE_MS = 200;

/** Options the client may pass in `initializationOptions`. */
export interface ServerOptions {
  /** false when Red Hat's YAML extension already reports YAML syntax errors for these files (docs/lsp.md). */
  yamlSyntaxDiagnostics?: boolean;
}

const SEVERITY: Record<ConfigDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};
const FROM_SEVERITY = (s: DiagnosticSeverity | undefined): ConfigDiagnostic['severity'] => (s === DiagnosticSeverity.Error ? 'error' : s === DiagnosticSeverity.Warning ? 'warning' : 'info');

function uriPath(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : '';
  } catch {
    return '';
  }
}

/** Starts serving on `connection`; resolves with the exit code once the client sends `exit`. */
export function startServer(connection: Connection): Promise<number> {
  const documents = new TextDocuments(TextDocument);
  const probe = createProbe();
  const timers = new Map<string, NodeJS.Timeout>();
  let options: ServerOptions = {};
  let shutdown = false;

  const validate = (doc: TextDocument) => {
    timers.delete(doc.uri);
    const gpu = readGpuRecord();
    const diags = validateDocument(doc.getText(), { path: uriPath(doc.uri), fs: probe, yamlSyntax: options.yamlSyntaxDiagnostics !== false, ...(gpu ? { gpu } : {}) });
    const out: Diagnostic[] = diags.map((d) => ({ range: d.range, severity: SEVERITY[d.severity], message: d.message, source: 'orpo-lab', ...(d.code ? { code: d.code } : {}), ...(d.data ? { data: d.data } : {}) }));
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: out });
  };
  const schedule = (doc: TextDocument, delay = DEBOUNCE_MS) => {
    clearTimeout(timers.get(doc.uri));
    timers.set(doc.uri, setTimeout(() => {
      const cur = documents.get(doc.uri);
      if (cur) validate(cur);
    }, delay));
  };

  let canWatch = false;
  connection.onInitialize((params) => {
    canWatch = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    const init = params.initializationOptions as ServerOptions | undefined;
    options = { ...(init && typeof init === 'object' ? init : {}) };
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [':', ' ', '/'] },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'orpo-lab', version: '0.1.0' },
    };
  });
  connection.onInitialized(() => {
    // Watch data, tokenizer and model files when the client lets the server register watchers; clients
    // that do not (or that send their own file events) still get fresh results: cached stats expire after 2 s.
    if (canWatch) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{json,jsonl,gz,parquet,jinja,safetensors}' }] }).catch(() => undefined);
  });

  documents.onDidOpen((e) => schedule(e.document, 0));
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  connection.onDidChangeWatchedFiles((e) => {
    for (const c of e.changes) probe.invalidate(uriPath(c.uri) || undefined);
    for (const doc of documents.all()) schedule(doc);
  });

  connection.onCompletion((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    return getCompletions(doc.getText(), params.position, { path: uriPath(doc.uri), fs: probe }).map((it) => ({
      label: it.label, kind: it.kind, textEdit: it.textEdit,
      ...(it.detail ? { detail: it.detail } : {}), ...(it.documentation ? { documentation: it.documentation } : {}), ...(it.sortText ? { sortText: it.sortText } : {}),
      ...(it.retrigger ? { command: { title: 'Suggest', command: 'editor.action.triggerSuggest' } } : {}),
    }));
  });
  connection.onHover((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? (getHover(doc.getText(), params.position, { path: uriPath(doc.uri), fs: probe }) ?? null) : null;
  });
  connection.onCodeAction((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const diagnostics: ConfigDiagnostic[] = params.context.diagnostics
      .filter((d) => d.source === 'orpo-lab')
      .map((d) => ({ range: d.range, severity: FROM_SEVERITY(d.severity), message: typeof d.message === 'string' ? d.message : d.message.value, ...(typeof d.code === 'string' ? { code: d.code } : {}), data: d.data }));
    return getCodeActions(doc.getText(), params.range, { path: uriPath(doc.uri), fs: probe, diagnostics }).map((a): LspCodeAction => ({
      title: a.title,
      kind: CodeActionKind.QuickFix,
      isPreferred: a.isPreferred ?? false,
      diagnostics: params.context.diagnostics.filter((d) => (typeof d.message === 'string' ? d.message : d.message.value) === a.diagnostic.message),
      ...(a.edits.length ? { edit: { changes: { [doc.uri]: a.edits } } } : {}),
      ...(a.command ? { command: { ...a.command, arguments: [doc.uri, ...a.command.arguments] } } : {}),
    }));
  });
  connection.onCodeLens((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? getCodeLenses(doc.getText(), doc.uri) : [];
  });

  documents.listen(connection);
  return new Promise<number>((resolve) => {
    connection.onShutdown(() => {
      shutdown = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    });
    connection.onExit(() => resolve(shutdown ? 0 : 1));
    connection.listen();
  });
}
