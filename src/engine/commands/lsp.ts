// `orpo-lab lsp --stdio`: the config language server (src/server) over stdin/stdout, for any LSP editor
// (Neovim, Helix, Emacs). Nothing but JSON-RPC may reach stdout while it runs.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { UsageError, parseArgs } from '../args';
import { exitOnFrameFault, guardFrames } from '../../server/frames';
import { startServer } from '../../server/lsp';

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['stdio']);
  if (args.positionals.length || [...args.flags.keys()].some((k) => k !== 'stdio')) throw new UsageError('usage: orpo-lab lsp --stdio');
  // Keep stray console output off the protocol stream.
  console.log = console.info = (...a: unknown[]) => console.error(...a);
  // Every frame is checked first: a malformed one ends the process so the client restarts the server.
  const code = await startServer(createConnection(ProposedFeatures.all, guardFrames(process.stdin, exitOnFrameFault('orpo-lab lsp')), process.stdout));
  // The client closed the session: end the process even if stdin is still open.
  setImmediate(() => process.exit(code));
  return code;
}
