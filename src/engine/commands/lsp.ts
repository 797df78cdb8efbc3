// `orpo-lab lsp --stdio`: the config language server (src/server) over stdin/stdout, for any LSP editor
// (Neovim, Helix, Emacs). Nothing but JSON-RPC may reach stdout while it runs.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { UsageError, flagBool, parseCommand, type CommandSpec } from '../args';
import { exitOnFrameFault, guardFrames } from '../../server/frames';
import { startServer } from '../../server/lsp';

export const LSP_SPEC: CommandSpec = {
  name: 'lsp',
  positionals: '',
  minPositionals: 0,
  maxPositionals: 0,
  summary: 'The *.orpo.yaml language server (diagnostics, completion, hover, quick fixes) over stdin/stdout, for any LSP editor.',
  options: { stdio: { type: 'boolean', help: 'speak LSP on stdin/stdout (required; the only transport)' } },
};

export async function main(argv: string[]): Promise<number> {
  const args = parseCommand(LSP_SPEC, argv);
  if (!flagBool(args, 'stdio')) throw new UsageError('--stdio is required (the only transport)');
  // Keep stray console output off the protocol stream.
  console.log = console.info = (...a: unknown[]) => console.error(...a);
  // Every frame is checked first: a malformed one ends the process so the client restarts the server.
  const code = await startServer(createConnection(ProposedFeatures.all, guardFrames(process.stdin, exitOnFrameFault('orpo-lab lsp')), process.stdout));
  // The client closed the session: end the process even if stdin is still open.
  setImmediate(() => process.exit(code));
  return code;
}
