// Entry point of the ORPO Lab language server, built into dist/server.js. The transport comes from argv
// (--stdio, --node-ipc, --socket=N or --pipe=NAME), as vscode-languageclient's TransportKind sets it.
// Over --stdio every frame is checked first (frames.ts): a malformed one ends the process, so the client
// restarts it, instead of leaving a server that answers nothing.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { exitOnFrameFault, guardFrames } from './frames';
import { startServer } from './lsp';

const connection = process.argv.includes('--stdio')
  ? createConnection(ProposedFeatures.all, guardFrames(process.stdin, exitOnFrameFault('orpo-lab server')), process.stdout)
  : createConnection(ProposedFeatures.all);
startServer(connection).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`orpo-lab server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
