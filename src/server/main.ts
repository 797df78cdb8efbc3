// Entry point of the ORPO Lab language server, built into dist/server.js. The transport comes from argv
// (--stdio, --node-ipc, --socket=N or --pipe=NAME), as vscode-languageclient's TransportKind sets it.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './lsp';

startServer(createConnection(ProposedFeatures.all)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`orpo-lab server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
