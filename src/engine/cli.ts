// orpo-lab: the ORPO Lab engine as a command-line program. The VS Code extension spawns
// `orpo-lab train --json` as a child process and reads its JSON-lines events on stdout; every other
// subcommand is for people and other editors. Each subcommand lives in commands/<name>.ts and declares
// its options (args.ts: strict parsing, --help). Exit codes: 0 done, 1 failure, 2 usage or invalid input.
import { HelpRequested, UsageError } from './args';
import { closest } from '../server/service/suggest';
import { holdStopSignals } from './commands/earlyStop';
import { packageVersion } from './version';

type Command = { args: string; what: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  train: { args: 'train CONFIG [KEY=VALUE...]', what: 'train an experiment (progress on a terminal, --json for events)', run: async (a) => ((await import('./commands/trlTrain')).wantsTrl(a) ? (await import('./commands/trlTrain')).main(a) : (await import('./commands/train')).main(a)) },
  validate: { args: 'validate CONFIG', what: 'print problems as file:line:col: severity: message', run: async (a) => (await import('./commands/validate')).main(a) },
  bench: { args: 'bench [--d-model N ...] [--counts] [--json]', what: 'time training steps on synthetic tokens', run: async (a) => (await import('./commands/bench')).main(a) },
  lsp: { args: 'lsp --stdio', what: 'the config language server, for any LSP editor', run: async (a) => (await import('./commands/lsp')).main(a) },
  sweep: { args: 'sweep CONFIG [--parallel N] | --resume DIR', what: 'every variant of the config\'s sweep: section, as one experiment', run: async (a) => (await import('./commands/sweep')).main(a) },
  report: { args: 'report RUN_DIR... --out FILE', what: 'the dashboard as one self-contained HTML file', run: async (a) => (await import('./commands/report')).main(a) },
  export: { args: 'export trl CONFIG --out DIR [--engine-order]', what: 'TRL train.py, data and accelerate configs for a GPU cluster', run: async (a) => (await import('./commands/export')).main(a) },
  schema: { args: 'schema [--out FILE]', what: 'the config\'s JSON Schema (draft-07), for other YAML tools', run: async (a) => (await import('./commands/schema')).main(a) },
  merge: { args: 'merge CHECKPOINT --out DIR', what: 'a LoRA checkpoint merged into its base model, as a transformers directory', run: async (a) => (await import('./commands/merge')).main(a) },
  generate: { args: 'generate MODEL_DIR --prompt TEXT', what: 'a completion from a trained or pretrained model', run: async (a) => (await import('./commands/generate')).main(a) },
};

export const EXIT_USAGE = 2;

export function usage(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.args.length)) + 2;
  const lines = Object.values(commands).map((c) => `  orpo-lab ${c.args.padEnd(width)}${c.what}`);
  return [
    'ORPO Lab engine: ORPO preference alignment on TensorFlow.js.', '', 'Usage:', ...lines,
    '  orpo-lab --version', '', 'orpo-lab COMMAND --help shows the options of a command.',
    'Exit codes: 0 done or stopped, 2 invalid command line, config or data, 1 other failure.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  if (name === '--version') {
    const v = packageVersion();
    if (!v) {
      process.stderr.write('orpo-lab: package.json not found above the engine\n');
      return 1;
    }
    process.stdout.write(v + '\n');
    return 0;
  }
  const cmd = name === undefined ? undefined : commands[name];
  if (name === 'train') holdStopSignals(); // a stop during start-up still ends with an event (earlyStop.ts)
  if (!cmd) {
    const near = name === undefined ? undefined : closest(name.replace(/^-+/, ''), Object.keys(commands));
    const what = name === undefined ? 'a command is required' : `unknown ${name.startsWith('-') ? 'option' : 'command'} "${name}"${near ? ` (did you mean ${near}?)` : ''}`;
    process.stderr.write(`orpo-lab: ${what}\n\n${usage()}\n`);
    return EXIT_USAGE;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(e.text);
      return 0;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`orpo-lab ${name}: ${e.message}\n`);
      return EXIT_USAGE;
    }
    // A backend that cannot load is said in words (backend/select.ts BackendError); other faults keep their stack.
    const words = e instanceof Error ? (e.name === 'BackendError' ? e.message : (e.stack ?? e.message)) : String(e);
    process.stderr.write(`orpo-lab ${name}: ${words}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => { process.stderr.write(String(e) + '\n'); process.exitCode = 1; },
);
