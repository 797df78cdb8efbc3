// orpo-lab: the ORPO Lab engine as a command-line program. The VS Code extension spawns
// `orpo-lab train` as a child process and reads its JSON-lines events on stdout; every other
// subcommand is for people and other editors. Each subcommand lives in commands/<name>.ts.
import { UsageError } from './args';

type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  train: { summary: 'train CONFIG [--out DIR] [--max-steps N] [--backend NAME] [--resume RUN_DIR]', run: async (a) => (await import('./commands/train')).main(a) },
  validate: { summary: 'validate CONFIG                 print problems as file:line:col: severity: message', run: async (a) => (await import('./commands/validate')).main(a) },
  bench: { summary: 'bench [--d-model 256 --layers 4 --heads 4 --vocab 8000 --seq 128 --pairs 4 --steps 5] [--backend NAME] [--counts] [--json]', run: async (a) => (await import('./commands/bench')).main(a) },
  lsp: { summary: 'lsp --stdio                     the config language server, for any LSP editor', run: async (a) => (await import('./commands/lsp')).main(a) },
  report: { summary: 'report RUN_DIR [RUN_DIR...] --out report.html', run: async (a) => (await import('./commands/report')).main(a) },
  generate: { summary: 'generate MODEL_DIR --prompt TEXT [--max-new-tokens N] [--temperature T] [--top-p P]', run: async (a) => (await import('./commands/generate')).main(a) },
};

export function usage(): string {
  const lines = Object.values(commands).map((c) => `  orpo-lab ${c.summary}`);
  return ['ORPO Lab engine: ORPO preference alignment on TensorFlow.js.', '', 'Usage:', ...lines, '', 'Exit codes: 0 done or stopped, 2 invalid config or data, 1 other failure.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 1;
  }
  if (name === '--version') {
    process.stdout.write(`${process.env.ORPO_LAB_VERSION ?? '0.1.0'}\n`);
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`orpo-lab: unknown command "${name}"\n\n${usage()}\n`);
    return 1;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`orpo-lab ${name}: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`orpo-lab ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => { process.stderr.write(String(e) + '\n'); process.exitCode = 1; },
);
